// Copyright (c) Allocators contributors. MIT License.

using Allocators.Strategies.Slab;
using Microsoft.Extensions.Options;

namespace Allocators.Strategies.Tests.Slab;

public sealed class SlabAllocatorTests
{
    [Theory]
    [InlineData(0UL, 16UL)]
    [InlineData(1UL, 16UL)]
    [InlineData(16UL, 16UL)]
    [InlineData(17UL, 32UL)]
    [InlineData(33UL, 48UL)]
    [InlineData(49UL, 64UL)]
    [InlineData(65UL, 96UL)]
    [InlineData(97UL, 128UL)]
    [InlineData(129UL, 192UL)]
    [InlineData(193UL, 256UL)]
    [InlineData(257UL, 512UL)]
    [InlineData(513UL, 1024UL)]
    [InlineData(1025UL, 2048UL)]
    [InlineData(2049UL, 4096UL)]
    [InlineData(4097UL, 8192UL)]
    [InlineData(8192UL, 8192UL)]
    [InlineData(8193UL, 12288UL)]
    public void Allocate_Size_UsesSmallestClassThatFits(ulong size, ulong usable)
    {
        using var t = SlabTestOs.Create();
        ulong a = t.Allocator.Allocate(size);
        Assert.NotEqual(0UL, a);
        Assert.Equal(0UL, a % 16);
        Assert.Equal(usable, t.Allocator.UsableSize(a));
        t.Allocator.Free(a);
        t.AssertConsistent();
    }

    [Fact]
    public void SizeClassCaches_AreTheDocumentedClasses()
    {
        using var t = SlabTestOs.Create();
        Assert.Equal(
            [16, 32, 48, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192],
            t.Allocator.SizeClassCaches.Select(c => c.ObjectSizeBytes).ToArray());
        Assert.All(t.Allocator.SizeClassCaches, c => Assert.Equal($"kmalloc-{c.ObjectSizeBytes}", c.Name));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void Free_SameAddressTwice_ThrowsHeapCorruptionAndStaysConsistent(int magazineSize)
    {
        using var t = SlabTestOs.Create(magazineSize);
        ulong a = t.Allocator.Allocate(40);
        ulong b = t.Allocator.Allocate(40);
        t.Allocator.Free(a);
        var ex = Assert.Throws<HeapCorruptionException>(() => t.Allocator.Free(a));
        Assert.Equal(a, ex.Address);
        Assert.Contains("double free", ex.Message);
        Assert.Contains("kmalloc-48", ex.Message);
        t.AssertConsistent();
        Assert.Equal(1, t.Allocator.GetStatistics().LiveBlocks);
        t.Allocator.Free(b);
        t.AssertConsistent();
    }

    [Fact]
    public void Free_InteriorPointer_ThrowsArgumentAndStaysConsistent()
    {
        using var t = SlabTestOs.Create();
        ulong a = t.Allocator.Allocate(64);
        var ex = Assert.Throws<AllocatorArgumentException>(() => t.Allocator.Free(a + 16));
        Assert.Equal(a + 16, ex.Address);
        Assert.Contains("not the start of an object", ex.Message);
        Assert.Contains("kmalloc-64", ex.Message);
        t.AssertConsistent();
        t.Allocator.Free(a);
    }

    [Fact]
    public void Free_AddressInColourPadding_ThrowsArgument()
    {
        using var t = SlabTestOs.Create();
        var cache = t.Allocator.SizeClassCaches.First(c => c.ObjectSizeBytes == 96);
        ulong first = cache.Allocate();

        // Fill the first slab, then the second slab is coloured one cache line in.
        var objects = new List<ulong> { first };
        while (objects.Count <= cache.ObjectsPerSlab)
        {
            objects.Add(cache.Allocate());
        }

        ulong second = objects[^1];
        ulong slabBase = second & ~4095UL;
        Assert.Equal(64UL, second - slabBase);
        var ex = Assert.Throws<AllocatorArgumentException>(() => t.Allocator.Free(slabBase));
        Assert.Contains("colour", ex.Message);
        t.AssertConsistent();
    }

    [Fact]
    public void Free_UnknownAddress_ThrowsArgument()
    {
        using var t = SlabTestOs.Create();
        var ex = Assert.Throws<AllocatorArgumentException>(() => t.Allocator.Free(0x1234560));
        Assert.Equal(0x1234560UL, ex.Address);
    }

    [Fact]
    public void Free_InsideLargeBlock_ThrowsArgumentNamingTheBlock()
    {
        using var t = SlabTestOs.Create();
        ulong a = t.Allocator.Allocate(100_000);
        var ex = Assert.Throws<AllocatorArgumentException>(() => t.Allocator.Free(a + 4096));
        Assert.Contains($"block=0x{a:x}", ex.Message);
        t.Allocator.Free(a);
        Assert.Throws<AllocatorArgumentException>(() => t.Allocator.Free(a));
        t.AssertConsistent();
    }

    [Fact]
    public void Allocate_AboveLargestClass_GetsItsOwnMappingReturnedOnFree()
    {
        using var t = SlabTestOs.Create();
        ulong before = t.Os.GetStatistics().VszBytes;
        ulong a = t.Allocator.Allocate(20_000);
        Assert.Equal(0UL, a % 4096);
        Assert.Equal(before + 20480, t.Os.GetStatistics().VszBytes);
        Assert.Contains(t.Allocator.WalkHeap(), b => b.Address == a && b.Kind == HeapBlockKind.Mmapped && b.Size == 20480);
        t.Allocator.Free(a);
        Assert.Equal(before, t.Os.GetStatistics().VszBytes);
    }

    [Fact]
    public void Reallocate_AcrossClassesAndPageLevel_PreservesContents()
    {
        using var t = SlabTestOs.Create(magazineSize: 4);
        ulong a = t.Allocator.Allocate(24);
        byte[] pattern = Enumerable.Range(0, 24).Select(i => (byte)(i * 7 + 1)).ToArray();
        t.Os.Write(a, pattern);

        ulong same = t.Allocator.Reallocate(a, 30);
        Assert.Equal(a, same);

        ulong b = t.Allocator.Reallocate(a, 200);
        Assert.NotEqual(a, b);
        AssertBytes(t, b, pattern);

        ulong c = t.Allocator.Reallocate(b, 50_000);
        AssertBytes(t, c, pattern);
        ulong d = t.Allocator.Reallocate(c, 200_000);
        AssertBytes(t, d, pattern);
        ulong e = t.Allocator.Reallocate(d, 100);
        AssertBytes(t, e, pattern);
        Assert.Equal(128UL, t.Allocator.UsableSize(e));

        Assert.Equal(0UL, t.Allocator.Reallocate(e, 0));
        var stats = t.Allocator.GetStatistics();
        Assert.Equal(0, stats.LiveBlocks);
        Assert.Equal(0UL, stats.AllocatedBytes);
        Assert.Equal(5, stats.Reallocations);
        t.AssertConsistent();
    }

    [Fact]
    public void Reallocate_OverAlignedSmallBlockToBiggerClass_CopiesOnlyItsPage()
    {
        // memalign(128, 10) gets a page of its own; growing it to 5000 bytes must not read past that page.
        using var t = SlabTestOs.Create();
        ulong a = t.Allocator.AllocateAligned(128, 10);
        Assert.Equal(4096UL, t.Allocator.UsableSize(a));
        t.Os.Fill(a, 4096, 0x5C);
        ulong b = t.Allocator.Reallocate(a, 5000);
        Assert.NotEqual(0UL, b);
        Assert.Equal(8192UL, t.Allocator.UsableSize(b));
        AssertBytes(t, b, Enumerable.Repeat((byte)0x5C, 4096).ToArray());
        t.Allocator.Free(b);
        t.AssertConsistent();
    }

    [Fact]
    public void AllocateZeroed_RecycledObject_IsZero()
    {
        using var t = SlabTestOs.Create(magazineSize: 0);
        ulong a = t.Allocator.Allocate(64);
        t.Os.Fill(a, 64, 0xAB);
        t.Allocator.Free(a);
        ulong b = t.Allocator.AllocateZeroed(8, 8);
        Assert.Equal(a, b);
        var buffer = new byte[64];
        t.Os.Read(b, buffer);
        Assert.All(buffer, x => Assert.Equal(0, x));
        Assert.Equal(0UL, t.Allocator.AllocateZeroed(ulong.MaxValue / 2, 3));
        Assert.Equal(AllocationFailure.OutOfMemory, t.Allocator.GetStatistics().LastFailure);
    }

    [Theory]
    [InlineData(32UL, 40UL)]
    [InlineData(64UL, 16UL)]
    [InlineData(64UL, 3000UL)]
    [InlineData(128UL, 10UL)]
    [InlineData(4096UL, 100UL)]
    [InlineData(65536UL, 5000UL)]
    public void AllocateAligned_PowerOfTwo_ReturnsAlignedBlock(ulong alignment, ulong size)
    {
        using var t = SlabTestOs.Create(magazineSize: 2);
        var blocks = new List<ulong>();
        for (int i = 0; i < 40; i++)
        {
            ulong a = t.Allocator.AllocateAligned(alignment, size);
            Assert.NotEqual(0UL, a);
            Assert.Equal(0UL, a % alignment);
            Assert.True(t.Allocator.UsableSize(a) >= size);
            blocks.Add(a);
        }

        foreach (ulong a in blocks)
        {
            t.Allocator.Free(a);
        }

        t.AssertConsistent();
        t.Allocator.Reap();
        Assert.Equal(t.BaselineVsz, t.Os.GetStatistics().VszBytes);
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(24UL)]
    public void AllocateAligned_NotPowerOfTwo_FailsWithInvalidArgument(ulong alignment)
    {
        using var t = SlabTestOs.Create();
        Assert.Equal(0UL, t.Allocator.AllocateAligned(alignment, 16));
        var stats = t.Allocator.GetStatistics();
        Assert.Equal(1, stats.FailedAllocations);
        Assert.Equal(AllocationFailure.InvalidArgument, stats.LastFailure);
    }

    [Fact]
    public void Allocate_WithPartialAndEmptySlabs_PrefersPartial()
    {
        using var t = SlabTestOs.Create(magazineSize: 0, emptySlabs: 4);
        var cache = t.Allocator.SizeClassCaches.First(c => c.ObjectSizeBytes == 256);
        int perSlab = cache.ObjectsPerSlab;
        var first = Enumerable.Range(0, perSlab).Select(_ => t.Allocator.Allocate(256)).ToList();
        var second = Enumerable.Range(0, perSlab).Select(_ => t.Allocator.Allocate(256)).ToList();
        ulong secondSlab = second[0] & ~4095UL;

        foreach (ulong a in first)
        {
            t.Allocator.Free(a);   // first slab becomes empty (kept: policy 4)
        }

        t.Allocator.Free(second[3]); // second slab becomes partial
        ulong next = t.Allocator.Allocate(200);
        Assert.Equal(second[3], next);
        Assert.Equal(secondSlab, next & ~4095UL);
        var info = t.Allocator.GetSlabInfo().Single(i => i.Name == "kmalloc-256");
        Assert.Equal(2, info.TotalSlabs);
        Assert.Equal(1, info.ActiveSlabs);
        t.AssertConsistent();
    }

    [Fact]
    public void Colouring_SuccessiveSlabs_StartAtCyclingCacheLineOffsets()
    {
        using var t = SlabTestOs.Create(magazineSize: 0);
        var cache = t.Allocator.SizeClassCaches.First(c => c.ObjectSizeBytes == 96);
        int perSlab = cache.ObjectsPerSlab;      // 42 objects of 96 = 4032 bytes: a 64-byte tail, two colours
        Assert.Equal(42, perSlab);
        var offsets = new List<ulong>();
        for (int slab = 0; slab < 4; slab++)
        {
            ulong a = cache.Allocate();
            offsets.Add(a & 4095UL);
            for (int i = 1; i < perSlab; i++)
            {
                cache.Allocate();
            }
        }

        Assert.Equal([0UL, 64UL, 0UL, 64UL], offsets);
    }

    [Fact]
    public void Colouring_Off_EverySlabStartsAtItsBase()
    {
        using var t = SlabTestOs.Create(magazineSize: 0, colouring: false);
        var cache = t.Allocator.SizeClassCaches.First(c => c.ObjectSizeBytes == 96);
        for (int slab = 0; slab < 3; slab++)
        {
            ulong a = cache.Allocate();
            Assert.Equal(0UL, a & 4095UL);
            for (int i = 1; i < cache.ObjectsPerSlab; i++)
            {
                cache.Allocate();
            }
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void EmptySlabPolicy_KeepsAtMostTheConfiguredEmptySlabs(int keep)
    {
        using var t = SlabTestOs.Create(magazineSize: 0, emptySlabs: keep);
        var cache = t.Allocator.SizeClassCaches.First(c => c.ObjectSizeBytes == 512);
        var objects = Enumerable.Range(0, cache.ObjectsPerSlab * 5).Select(_ => t.Allocator.Allocate(500)).ToList();
        foreach (ulong a in objects)
        {
            t.Allocator.Free(a);
        }

        var info = t.Allocator.GetSlabInfo().Single(i => i.Name == "kmalloc-512");
        Assert.Equal(keep, info.TotalSlabs);
        Assert.Equal(0, info.ActiveSlabs);
        ulong released = t.Allocator.Reap();
        Assert.Equal((ulong)keep * (ulong)cache.PagesPerSlab * 4096, released);
        Assert.Equal(t.BaselineVsz, t.Os.GetStatistics().VszBytes);
    }

    [Fact]
    public void FreeAllThenReap_WithMagazines_ReturnsVszToBaseline()
    {
        using var t = SlabTestOs.Create(magazineSize: 8);
        var rng = new Random(5);
        var objects = Enumerable.Range(0, 3000).Select(_ => t.Allocator.Allocate((ulong)rng.Next(1, 9000))).ToList();
        Assert.True(t.Os.GetStatistics().VszBytes > t.BaselineVsz);
        foreach (ulong a in objects.OrderBy(_ => rng.Next()))
        {
            t.Allocator.Free(a);
        }

        ulong held = t.Allocator.GetStatistics().HeldBytes;
        Assert.True(held > 0); // magazines and the policy keep some
        Assert.Equal(held, t.Allocator.Reap());
        Assert.False(t.Allocator.Trim(0));
        var stats = t.Allocator.GetStatistics();
        Assert.Equal(0UL, stats.HeldBytes);
        Assert.Equal(t.BaselineVsz, stats.Os.VszBytes);
        Assert.Equal(0, t.Allocator.Pages.Count);
    }

    [Fact]
    public void Trim_WithPad_KeepsThatManyBytesOfEmptySlabs()
    {
        using var t = SlabTestOs.Create(magazineSize: 0, emptySlabs: 8);
        var objects = Enumerable.Range(0, 8 * 32).Select(_ => t.Allocator.Allocate(128)).ToList();   // 8 one-page slabs
        objects.ForEach(t.Allocator.Free);
        Assert.Equal(8UL * 4096, t.Allocator.GetStatistics().HeldBytes);
        Assert.True(t.Allocator.Trim(3 * 4096));
        Assert.Equal(3UL * 4096, t.Allocator.GetStatistics().HeldBytes);
        Assert.False(t.Allocator.Trim(3 * 4096));
        Assert.True(t.Allocator.Trim(0));
        Assert.Equal(t.BaselineVsz, t.Os.GetStatistics().VszBytes);
    }

    [Fact]
    public void MagazineRefill_CorruptLinkMidBatch_ThrowsKeepsWhatWasTakenAndStaysConsistent()
    {
        // Magazines of 8 over kmalloc-32 (objects o0, o1, ... 32 bytes apart on a fresh slab, listed in order): the
        // first allocation refills o0..o7 and hands out o0; the ninth refills again from o8, whose successor o9 has a
        // clobbered link, so it throws with o8 parked in the magazine and o9 left at the head of the slab's list.
        using var t = SlabTestOs.Create(magazineSize: 8, check: HeapCheckLevel.None);
        ulong o0 = t.Allocator.Allocate(32);
        for (int i = 1; i < 8; i++)
        {
            Assert.Equal(o0 + ((ulong)i * 32), t.Allocator.Allocate(32));   // handed out in list order
        }

        ulong o8 = o0 + (8 * 32);
        ulong o9 = o0 + (9 * 32);
        Assert.Equal(o9, t.Os.ReadUInt64(o8));
        t.Os.WriteUInt64(o9, 0xdead0);
        var ex = Assert.Throws<HeapCorruptionException>(() => t.Allocator.Allocate(32));
        Assert.Equal("free pointer corrupt", ex.Check);
        Assert.Equal(o9, ex.Address);
        Assert.Equal(1, t.Allocator.GetSlabInfo().Single(i => i.Name == "kmalloc-32").CachedObjects);

        // Repairing the link makes the cache usable again, nothing lost: o8 from the magazine, then o9 from the slab.
        t.Os.WriteUInt64(o9, o9 + 32);
        t.AssertConsistent();
        Assert.Equal(o8, t.Allocator.Allocate(32));
        Assert.Equal(o9, t.Allocator.Allocate(32));
        t.AssertConsistent();
    }

    [Fact]
    public void FreeList_LivesInSimulatedMemory_AndCorruptionIsDetectedOnAllocate()
    {
        using var t = SlabTestOs.Create(magazineSize: 0, check: HeapCheckLevel.None);
        ulong a = t.Allocator.Allocate(32);
        ulong b = t.Allocator.Allocate(32);
        ulong c = t.Allocator.Allocate(32);
        t.Allocator.Free(a);
        t.Allocator.Free(b);

        // LIFO in-band list: b -> a -> the rest of the never-used objects (d = c + 32).
        Assert.Equal(a, t.Os.ReadUInt64(b));
        Assert.Equal(c + 32, t.Os.ReadUInt64(a));

        t.Os.WriteUInt64(b, 0xdead0);   // a use-after-free write clobbers the link
        var failures = t.Allocator.CheckHeap(HeapCheckLevel.Full);
        Assert.Contains(failures.Failures, f => f.Id == "S4");
        var ex = Assert.Throws<HeapCorruptionException>(() => t.Allocator.Allocate(32));
        Assert.Equal("free pointer corrupt", ex.Check);
        Assert.Equal(b, ex.Address);

        // Nothing moved: repairing the link makes the cache usable again.
        t.Os.WriteUInt64(b, a);
        t.AssertConsistent();
        Assert.Equal(b, t.Allocator.Allocate(32));
    }

    [Fact]
    public void Magazines_PerSimulatedThread_ReuseTheThreadsOwnObjects()
    {
        using var t = SlabTestOs.Create(magazineSize: 4);
        ulong a;
        ulong b;
        using (SimulatedThread.Enter(1))
        {
            a = t.Allocator.Allocate(64);
            t.Allocator.Free(a);
        }

        using (SimulatedThread.Enter(2))
        {
            b = t.Allocator.Allocate(64);
            Assert.NotEqual(a, b);         // thread 1's magazine is not thread 2's
            t.Allocator.Free(b);
        }

        using (SimulatedThread.Enter(1))
        {
            Assert.Equal(a, t.Allocator.Allocate(64));
        }

        // An empty magazine is refilled with a whole magazine from the slab layer: thread 1 holds 4 - 1 (a is out
        // again), thread 2 holds its 4 (3 left after b, then b back).
        var info = t.Allocator.GetSlabInfo().Single(i => i.Name == "kmalloc-64");
        Assert.Equal(7, info.CachedObjects);
        Assert.Contains(t.Allocator.WalkHeap(), blk => blk.Address == b && blk.Kind == HeapBlockKind.Cached);
        Assert.DoesNotContain(t.Allocator.WalkHeap(), blk => blk.Address == a && blk.Kind == HeapBlockKind.Cached);
        t.AssertConsistent();
    }

    [Fact]
    public void Magazines_OverflowBeyondDepot_GoBackToSlabs()
    {
        using var t = new SlabTestOs(new SlabAllocatorOptions { MagazineSize = 2, DepotMagazines = 1, DepotBytesPerCache = 0, CheckLevel = HeapCheckLevel.Full });
        var objects = Enumerable.Range(0, 20).Select(_ => t.Allocator.Allocate(16)).ToList();
        foreach (ulong a in objects)
        {
            t.Allocator.Free(a);
        }

        // loaded (2) + previous (2) + one depot magazine (2) = 6 parked; the rest are back on the slab list.
        var info = t.Allocator.GetSlabInfo().Single(i => i.Name == "kmalloc-16");
        Assert.Equal(6, info.CachedObjects);
        Assert.Equal(0, info.ActiveObjects);
        var again = Enumerable.Range(0, 20).Select(_ => t.Allocator.Allocate(16)).ToHashSet();
        Assert.Equal(objects.ToHashSet(), again);
    }

    [Theory]
    [InlineData(16, 32)]     // 64 * 16 / (2 * 16) = 32 magazines by bytes
    [InlineData(4096, 1)]    // 64 * 16 / (2 * 4096) = 0: the count (1) rules
    public void Magazines_DepotByteBudget_ParksThatManyMagazinesOfSmallObjects(ulong size, int expectedDepotMagazines)
    {
        using var t = new SlabTestOs(new SlabAllocatorOptions { MagazineSize = 2, DepotMagazines = 1, DepotBytesPerCache = 64 * 16, CheckLevel = HeapCheckLevel.Full });
        var objects = Enumerable.Range(0, 200).Select(_ => t.Allocator.Allocate(size)).ToList();
        foreach (ulong a in objects)
        {
            t.Allocator.Free(a);
        }

        // loaded (2) + previous (2) + the depot's full magazines (2 each) are parked; the rest went back to the slabs.
        var info = t.Allocator.GetSlabInfo().Single(i => i.Name == $"kmalloc-{size}");
        Assert.Equal(4 + (2 * expectedDepotMagazines), info.CachedObjects);
        Assert.Equal(0, info.ActiveObjects);
        t.Allocator.Reap();
        Assert.Equal(0, t.Allocator.GetSlabInfo().Single(i => i.Name == $"kmalloc-{size}").CachedObjects);
        Assert.Equal(t.BaselineVsz, t.Os.GetStatistics().VszBytes);
    }

    [Fact]
    public void OsRefusal_AllocateReturnsZeroAndCountsFailure()
    {
        using var t = SlabTestOs.Create();
        t.Os.Faults.FailNextMmap(2);
        Assert.Equal(0UL, t.Allocator.Allocate(100));
        Assert.Equal(0UL, t.Allocator.Allocate(1_000_000));
        var stats = t.Allocator.GetStatistics();
        Assert.Equal(2, stats.FailedAllocations);
        Assert.Equal(AllocationFailure.OutOfMemory, stats.LastFailure);
        Assert.Equal(0, stats.LiveBlocks);
        Assert.Equal(2, t.Allocator.OsRefusals);
        t.AssertConsistent();
        Assert.NotEqual(0UL, t.Allocator.Allocate(100));
    }

    [Fact]
    public void Statistics_TrackLiveBlocksBytesAndPeak()
    {
        using var t = SlabTestOs.Create(magazineSize: 4);
        ulong a = t.Allocator.Allocate(10);
        ulong b = t.Allocator.Allocate(100);
        ulong c = t.Allocator.Allocate(10_000);
        var s = t.Allocator.GetStatistics();
        Assert.Equal("slab", s.Strategy);
        Assert.Equal(3, s.Allocations);
        Assert.Equal(3, s.LiveBlocks);
        Assert.Equal(16UL + 128 + 12288, s.AllocatedBytes);
        t.Allocator.Free(a);
        t.Allocator.Free(b);
        t.Allocator.Free(c);
        s = t.Allocator.GetStatistics();
        Assert.Equal(2 + 1, s.Frees);
        Assert.Equal(0UL, s.AllocatedBytes);
        Assert.Equal(16UL + 128 + 12288, s.PeakAllocatedBytes);
        Assert.True(s.FreeBytes > 0);
        Assert.Equal(128UL, s.LargestFreeBlock);
    }

    [Fact]
    public void SlabInfo_ReportsCountsAndWaste()
    {
        using var t = SlabTestOs.Create(magazineSize: 0);
        ulong a = t.Allocator.Allocate(40);    // kmalloc-48: 8 bytes of rounding
        ulong b = t.Allocator.Allocate(48);
        var info = t.Allocator.GetSlabInfo().Single(i => i.Name == "kmalloc-48");
        Assert.Equal(2, info.ActiveObjects);
        Assert.Equal(85, info.ObjectsPerSlab);   // 4096 / 48
        Assert.Equal(85, info.TotalObjects);
        Assert.Equal(48, info.ObjectSizeBytes);
        Assert.Equal(1, info.PagesPerSlab);
        Assert.Equal(1, info.ActiveSlabs);
        Assert.Equal(1, info.TotalSlabs);
        Assert.Equal(8UL, info.RoundingWasteBytes);
        Assert.Equal(4096UL - (85 * 48), info.SlabOverheadBytes);
        string text = SlabInfoFormatter.Format(t.Allocator.GetSlabInfo());
        Assert.StartsWith("slabinfo - version: 2.1", text);
        Assert.Contains("kmalloc-48", text);
        Assert.Contains($"# waste: {8 + 16} bytes", text);
        t.Allocator.Free(a);
        t.Allocator.Free(b);
    }

    [Fact]
    public void WalkHeap_CoversEverySlabByteInAddressOrder()
    {
        using var t = SlabTestOs.Create(magazineSize: 2);
        var objects = Enumerable.Range(0, 200).Select(i => t.Allocator.Allocate((ulong)(i * 37 % 3000))).ToList();
        for (int i = 0; i < objects.Count; i += 3)
        {
            t.Allocator.Free(objects[i]);
        }

        var blocks = t.Allocator.WalkHeap();
        for (int i = 1; i < blocks.Count; i++)
        {
            Assert.True(blocks[i - 1].Address + blocks[i - 1].Size <= blocks[i].Address);
        }

        ulong total = blocks.Aggregate(0UL, (sum, b) => sum + b.Size);
        Assert.Equal(t.Allocator.GetStatistics().HeldBytes, total);
        Assert.Equal(200 - 67, blocks.Count(b => b.Kind == HeapBlockKind.InUse));
    }

    [Fact]
    public void Constructor_WithCheckFull_EveryCallStillConsistent()
    {
        using var t = new SlabTestOs(new SlabAllocatorOptions { CheckLevel = HeapCheckLevel.Full, MagazineSize = 3 });
        Assert.Equal(HeapCheckLevel.Full, t.Allocator.CheckLevel);
        var live = new List<ulong>();
        var rng = new Random(9);
        for (int i = 0; i < 400; i++)
        {
            if (live.Count > 0 && rng.Next(3) == 0)
            {
                int k = rng.Next(live.Count);
                t.Allocator.Free(live[k]);
                live.RemoveAt(k);
            }
            else
            {
                live.Add(t.Allocator.Allocate((ulong)rng.Next(0, 600)));
            }
        }
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsWithEveryFailure()
    {
        using var os = new Allocators.Os.SimulatedOs();
        var options = new SlabAllocatorOptions { MagazineSize = -1, MaxPagesPerSlab = 0, CacheLineBytes = 48, CheckLevel = (HeapCheckLevel)7, DepotBytesPerCache = -1 };
        var ex = Assert.Throws<OptionsValidationException>(() => new SlabAllocator(os, options));
        Assert.Equal(5, ex.Failures.Count());
        Assert.Contains(ex.Failures, f => f.Contains(nameof(SlabAllocatorOptions.DepotBytesPerCache)));
        Assert.Contains(ex.Failures, f => f.Contains(nameof(SlabAllocatorOptions.MagazineSize)));
        Assert.Contains(ex.Failures, f => f.Contains(nameof(SlabAllocatorOptions.MaxPagesPerSlab)));
        Assert.Contains(ex.Failures, f => f.Contains(nameof(SlabAllocatorOptions.CacheLineBytes)));
        Assert.Contains(ex.Failures, f => f.Contains(nameof(SlabAllocatorOptions.CheckLevel)));
        Assert.True(new SlabAllocatorOptionsValidator().Validate(null, new SlabAllocatorOptions()).Succeeded);
    }

    [Fact]
    public void Concurrency_ManyHostThreads_StaysConsistent()
    {
        using var t = SlabTestOs.Create(magazineSize: 8, check: HeapCheckLevel.None);
        Parallel.For(0, 4, worker =>
        {
            using var scope = SimulatedThread.Enter(worker + 1);
            var rng = new Random(worker);
            var live = new List<ulong>();
            for (int i = 0; i < 5000; i++)
            {
                if (live.Count > 0 && rng.Next(2) == 0)
                {
                    int k = rng.Next(live.Count);
                    t.Allocator.Free(live[k]);
                    live[k] = live[^1];
                    live.RemoveAt(live.Count - 1);
                }
                else
                {
                    live.Add(t.Allocator.Allocate((ulong)rng.Next(1, 2000)));
                }
            }

            foreach (ulong a in live)
            {
                t.Allocator.Free(a);
            }
        });
        t.AssertConsistent();
        t.Allocator.Reap();
        Assert.Equal(t.BaselineVsz, t.Os.GetStatistics().VszBytes);
    }

    private static void AssertBytes(SlabTestOs t, ulong address, byte[] expected)
    {
        var actual = new byte[expected.Length];
        t.Os.Read(address, actual);
        Assert.Equal(expected, actual);
    }
}
