// Copyright (c) Allocators contributors. MIT License.

using Allocators.Strategies.Slab;

namespace Allocators.Strategies.Tests.Slab;

/// <summary>The per-cache slot tables (free bits, padded bits, requested sizes), the page-map entries and the empty-slab default.</summary>
public sealed class SlabSlotTests
{
    [Fact]
    public void RoundingWaste_MixOfExactShortAndReallocatedRequests_IsExactThroughMagazines()
    {
        using var t = new SlabTestOs(new SlabAllocatorOptions { MagazineSize = 4, CheckLevel = HeapCheckLevel.Full });
        ulong Waste() => t.Allocator.GetSlabInfo().Single(i => i.Name == "kmalloc-64").RoundingWasteBytes;

        ulong exact = t.Allocator.Allocate(64);
        ulong shortOne = t.Allocator.Allocate(50);
        Assert.Equal(14UL, Waste());

        // In place: the same object, now 60 bytes asked for, then the full 64.
        Assert.Equal(shortOne, t.Allocator.Reallocate(shortOne, 60));
        Assert.Equal(4UL, Waste());
        Assert.Equal(shortOne, t.Allocator.Reallocate(shortOne, 64));
        Assert.Equal(0UL, Waste());

        // A short request recycles the slot of an exact one through the magazine (and the other way round).
        t.Allocator.Free(exact);
        ulong recycled = t.Allocator.Allocate(49);
        Assert.Equal(exact, recycled);
        Assert.Equal(15UL, Waste());
        t.Allocator.Free(recycled);
        ulong again = t.Allocator.Allocate(64);
        Assert.Equal(exact, again);
        Assert.Equal(0UL, Waste());

        t.Allocator.Free(again);
        t.Allocator.Free(shortOne);
        Assert.Equal(0UL, Waste());
        t.AssertConsistent();
    }

    [Fact]
    public void DoubleFree_OfObjectParkedInMagazine_IsDetectedAndLeavesCacheConsistent()
    {
        using var t = new SlabTestOs(new SlabAllocatorOptions { MagazineSize = 8 });
        ulong a = t.Allocator.Allocate(192);
        ulong b = t.Allocator.Allocate(192);
        t.Allocator.Free(a);
        var ex = Assert.Throws<HeapCorruptionException>(() => t.Allocator.Free(a));
        Assert.Contains("kmalloc-192", ex.Message);
        t.AssertConsistent();
        Assert.Equal(a, t.Allocator.Allocate(192));
        t.Allocator.Free(a);
        t.Allocator.Free(b);
        t.AssertConsistent();
    }

    [Fact]
    public void PageMapEntry_CopiesTheSlabFields_AndAMissHasNoSlab()
    {
        using var t = SlabTestOs.Create();
        ulong a = t.Allocator.Allocate(96);
        ref readonly PageEntry entry = ref t.Allocator.Pages.Lookup(a >> 12);
        SlabDescriptor slab = entry.Slab!;
        Assert.Same(slab.Cache, entry.Cache);
        Assert.Equal(slab.FirstObject, entry.FirstObject);
        Assert.Equal(slab.SlotBase, entry.SlotBase);
        Assert.Equal(slab.Id * slab.Cache.SlotsPerSlab, slab.SlotBase);
        Assert.Null(t.Allocator.Pages.Lookup(1).Slab);
        Assert.Null(t.Allocator.Pages.Lookup(1).Cache);
        t.Allocator.Free(a);
    }

    [Fact]
    public void SlabIds_MapUnmapCycles_ReuseDescriptorsAndNeverGrowTheTables()
    {
        using var t = SlabTestOs.Create(magazineSize: 0, emptySlabs: 0, check: HeapCheckLevel.None);
        SlabCache cache = t.Allocator.SizeClassCaches.Single(c => c.ObjectSizeBytes == 128);
        var objects = new List<ulong>();
        for (int cycle = 0; cycle < 50; cycle++)
        {
            for (int i = 0; i < cache.ObjectsPerSlab * 3; i++)
            {
                objects.Add(t.Allocator.Allocate(128));
            }

            if (cycle == 0)
            {
                Assert.Equal(3, t.Allocator.GetSlabInfo().Single(i => i.Name == "kmalloc-128").TotalSlabs);
            }

            int states = cache.States.Length;
            foreach (ulong a in objects)
            {
                t.Allocator.Free(a);
            }

            objects.Clear();
            Assert.Equal(0, t.Allocator.GetSlabInfo().Single(i => i.Name == "kmalloc-128").TotalSlabs);
            Assert.Equal(states, cache.States.Length);
        }

        t.AssertConsistent();
        Assert.Equal(t.BaselineVsz, t.Os.GetStatistics().VszBytes);
    }

    [Fact]
    public void DefaultOptions_FreeAndRefill_KeepEmptySlabsAndMapNothingNew()
    {
        using var t = new SlabTestOs();
        Assert.Equal(256, new SlabAllocatorOptions().EmptySlabsPerCache);
        var objects = Enumerable.Range(0, 2000).Select(_ => t.Allocator.Allocate(64)).ToList();
        foreach (ulong a in objects)
        {
            t.Allocator.Free(a);
        }

        long mmaps = t.Os.GetStatistics().Syscalls;
        objects = Enumerable.Range(0, 2000).Select(_ => t.Allocator.Allocate(64)).ToList();
        Assert.Equal(mmaps, t.Os.GetStatistics().Syscalls);
        foreach (ulong a in objects)
        {
            t.Allocator.Free(a);
        }

        Assert.True(t.Allocator.Reap() > 0);
        Assert.Equal(t.BaselineVsz, t.Os.GetStatistics().VszBytes);
        t.AssertConsistent();
    }
}
