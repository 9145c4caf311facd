// Copyright (c) Allocators contributors. MIT License.

using Allocators.Strategies.Glibc;

namespace Allocators.Strategies.Tests.Glibc;

/// <summary>mallopt, trimming, the dynamic threshold, realloc, memalign and the statistics texts (spec §7, §10–§12, §15, §17).</summary>
public sealed class GlibcBehaviourTests
{
    [Fact]
    public void Mallopt_MxFast_RoundsAndRejects()
    {
        using var h = new GlibcHeap();
        Assert.Equal(1, h.Glibc.Mallopt(GlibcMallopt.MxFast, 24));
        Assert.Equal(1, h.Glibc.Mallopt(GlibcMallopt.MxFast, 160));
        Assert.Equal(0, h.Glibc.Mallopt(GlibcMallopt.MxFast, 161));
        Assert.Equal(0, h.Glibc.Mallopt(GlibcMallopt.MxFast, -1));
        Assert.Equal(1, h.Glibc.Mallopt(GlibcMallopt.Keep, 5));
    }

    [Fact]
    public void Mallopt_MxFastZero_DisablesFastbins()
    {
        using var h = new GlibcHeap(new GlibcAllocatorOptions { TcacheCount = 0 });
        h.Glibc.Mallopt(GlibcMallopt.MxFast, 0);
        ulong a = h.Malloc(24);
        h.Malloc(24);
        h.Free(a);
        Assert.Equal(0UL, h.Glibc.Mallinfo2().Smblks);
        Assert.Equal(2UL, h.Glibc.Mallinfo2().Ordblks);
    }

    [Fact]
    public void Mallopt_MmapThreshold_DisablesDynamicThreshold()
    {
        using var h = new GlibcHeap();
        Assert.Equal(1, h.Glibc.Mallopt(GlibcMallopt.MmapThreshold, 256 * 1024));
        ulong m = h.Malloc(300000);
        Assert.Equal(2UL, h.Hdr(m) & 2);
        h.Free(m);
        Assert.Equal(256UL * 1024, h.Glibc.MmapThreshold);
    }

    [Fact]
    public void Mallopt_MmapMaxZero_NeverMmaps()
    {
        using var h = new GlibcHeap();
        h.Glibc.Mallopt(GlibcMallopt.MmapMax, 0);
        ulong m = h.Malloc(300000);
        Assert.Equal(0UL, h.Hdr(m) & 2);
        Assert.DoesNotContain(h.Syscalls, s => s.Kind == SyscallKind.Mmap);
    }

    [Fact]
    public void TopPadZero_FirstGrowthIsOnePage()
    {
        using var h = new GlibcHeap(new GlibcAllocatorOptions { TopPadBytes = 0 });
        h.Malloc(1);
        Assert.Equal(0x1000UL, h.Brk);
    }

    [Fact]
    public void Free_MmappedChunkAt32MiB_DoesNotUpdateThreshold()
    {
        using var h = new GlibcHeap();
        ulong m = h.Malloc((32UL << 20) - 100);
        Assert.Equal(32UL << 20, h.Hdr(m) & ~7UL);
        h.Free(m);
        Assert.Equal(128UL * 1024, h.Glibc.MmapThreshold);
        ulong again = h.Malloc(200000);
        Assert.Equal(2UL, h.Hdr(again) & 2);
    }

    [Fact]
    public void Realloc_MmappedShrink_StaysMmappedViaMremap()
    {
        using var h = new GlibcHeap();
        ulong m = h.Malloc(300000);
        h.ClearSyscalls();
        ulong r = h.Glibc.Reallocate(m, 100);
        Assert.Equal(new[] { "mremap(303104->4096)" }, h.Strace());
        Assert.Equal(0x1002UL, h.Hdr(r));
        Assert.Equal(128UL * 1024, h.Glibc.MmapThreshold);
    }

    [Fact]
    public void Realloc_SameMappingSize_NoSyscall()
    {
        using var h = new GlibcHeap();
        ulong m = h.Malloc(300000);
        h.ClearSyscalls();
        Assert.Equal(m, h.Glibc.Reallocate(m, 300001));
        Assert.Empty(h.Syscalls);
    }

    [Fact]
    public void Realloc_Shrink_RemainderGoesToTcache()
    {
        using var h = new GlibcHeap();
        ulong a = h.Malloc(0x200);
        h.Malloc(16);
        Assert.Equal(a, h.Glibc.Reallocate(a, 0x20));
        Assert.Equal(0x31UL, h.Hdr(a));
        Assert.Equal(a + 0x30, h.Malloc(0x1d0));
    }

    [Fact]
    public void Realloc_GrowIntoTop_InPlace()
    {
        using var h = new GlibcHeap();
        ulong a = h.Malloc(100);
        Assert.Equal(a, h.Glibc.Reallocate(a, 5000));
        Assert.Equal(0x1391UL, h.Hdr(a));
        h.AssertConsistent();
    }

    [Fact]
    public void Realloc_ZeroSize_FreesAndReturnsNull()
    {
        using var h = new GlibcHeap();
        ulong a = h.Malloc(100);
        Assert.Equal(0UL, h.Glibc.Reallocate(a, 0));
        Assert.Equal(a, h.Malloc(100));
    }

    [Fact]
    public void Realloc_Grow_CopiesContents()
    {
        using var h = new GlibcHeap();
        ulong a = h.Malloc(100);
        h.Malloc(16);
        for (ulong i = 0; i < 100; i++)
        {
            h.Os.WriteByte(a + i, (byte)i);
        }

        ulong b = h.Glibc.Reallocate(a, 5000);
        Assert.NotEqual(a, b);
        for (ulong i = 0; i < 100; i++)
        {
            Assert.Equal((byte)i, h.Os.ReadByte(b + i));
        }
    }

    [Fact]
    public void PosixMemalign_BadAlignment_Einval()
    {
        using var h = new GlibcHeap();
        ulong r = 7;
        Assert.Equal(22, h.Glibc.PosixMemalign(ref r, 24, 10));
        Assert.Equal(7UL, r);
        Assert.Equal(0, h.Glibc.PosixMemalign(ref r, 64, 10));
        Assert.Equal(0UL, r % 64);
    }

    [Fact]
    public void Memalign_NonPowerOfTwo_RoundsUp()
    {
        using var h = new GlibcHeap();
        ulong p = h.Glibc.AllocateAligned(48, 10);
        Assert.Equal(0UL, p % 64);
        h.AssertConsistent();
    }

    [Fact]
    public void Memalign_Mmapped_KeepsOffsetInPrev()
    {
        using var h = new GlibcHeap();
        ulong p = h.Glibc.AllocateAligned(65536, 300000);
        Assert.Equal(0UL, p % 65536);
        Assert.Equal(2UL, h.Hdr(p) & 2);
        ulong offset = h.Os.ReadUInt64(p - 16);
        Assert.NotEqual(0UL, offset);
        h.ClearSyscalls();
        h.Free(p);
        Assert.Single(h.Syscalls);
        Assert.Equal(SyscallKind.Munmap, h.Syscalls[0].Kind);
    }

    [Fact]
    public void Calloc_Overflow_ReturnsNull()
    {
        using var h = new GlibcHeap();
        Assert.Equal(0UL, h.Glibc.AllocateZeroed(1UL << 40, 1UL << 40));
    }

    [Fact]
    public void Calloc_ReusedChunk_IsZeroed()
    {
        using var h = new GlibcHeap(new GlibcAllocatorOptions { TcacheCount = 0 });
        ulong a = h.Malloc(200);
        h.Malloc(16);
        h.Os.Fill(a, 200, 0xab);
        h.Free(a);
        ulong b = h.Glibc.AllocateZeroed(1, 200);
        Assert.Equal(a, b);
        for (ulong i = 0; i < 200; i++)
        {
            Assert.Equal(0, h.Os.ReadByte(b + i));
        }
    }

    [Theory]
    [InlineData(40UL, 200)]
    [InlineData(72UL, 120)]
    [InlineData(200UL, 60)]
    [InlineData(1000UL, 20)]
    [InlineData(5000UL, 6)]
    public void Calloc_ReusedChunksWithinAndAcrossPages_ClearsUsableBytesOnly(ulong size, int count)
    {
        // Dirty chunks separated by guards, freed to the bins (no tcache: calloc does not use it in 2.36) and taken back
        // by calloc: every usable byte is zero whether the chunk lies in one page or straddles two, and the guards'
        // SIZE words right after each chunk are untouched.
        using var h = new GlibcHeap(new GlibcAllocatorOptions { TcacheCount = 0 });
        var chunks = new ulong[count];
        var guards = new ulong[count];
        for (int i = 0; i < count; i++)
        {
            chunks[i] = h.Malloc(size);
            guards[i] = h.Malloc(16);
            h.Os.Fill(chunks[i], h.Glibc.UsableSize(chunks[i]), 0xab);
        }

        Assert.Contains(chunks, c => (c / 4096) != ((c + h.Glibc.UsableSize(c) - 1) / 4096));
        var guardHeads = guards.Select(h.Hdr).ToArray();
        foreach (ulong c in chunks)
        {
            h.Free(c);
        }

        var seen = new HashSet<ulong>();
        for (int i = 0; i < count; i++)
        {
            ulong b = h.Glibc.AllocateZeroed(1, size);
            seen.Add(b);
            ulong usable = h.Glibc.UsableSize(b);
            for (ulong j = 0; j < usable; j++)
            {
                Assert.Equal(0, h.Os.ReadByte(b + j));
            }
        }

        Assert.True(seen.SetEquals(chunks));
        Assert.Equal(guardHeads, guards.Select(h.Hdr).ToArray());
        h.AssertConsistent();
    }

    [Fact]
    public void UsableSize_InUseMmappedAndNull()
    {
        using var h = new GlibcHeap();
        Assert.Equal(0UL, h.Glibc.UsableSize(0));
        ulong a = h.Malloc(0);
        Assert.Equal(24UL, h.Glibc.UsableSize(a));
        ulong m = h.Malloc(200000);
        Assert.Equal(200704UL - 16, h.Glibc.UsableSize(m));
    }

    [Fact]
    public void MallocStats_AfterOneMalloc_GlibcText()
    {
        using var h = new GlibcHeap();
        h.Malloc(1);
        string expected =
            "Arena 0:\n" +
            "system bytes     =     135168\n" +
            "in use bytes     =        688\n" +
            "Total (incl. mmap):\n" +
            "system bytes     =     135168\n" +
            "in use bytes     =        688\n" +
            "max mmap regions =          0\n" +
            "max mmap bytes   =          0\n";
        Assert.Equal(expected, h.Glibc.MallocStats());
    }

    [Fact]
    public void MallocInfo_UnsortedLargeChunk_UsesRawSizeWords()
    {
        using var h = new GlibcHeap();
        ulong a = h.Malloc(0x500);
        h.Malloc(16);
        h.Free(a);
        string xml = h.Glibc.MallocInfo();
        Assert.Contains("<unsorted from=\"1297\" to=\"1297\" total=\"1297\" count=\"1\"/>", xml);
        Assert.StartsWith("<malloc version=\"1\">\n<heap nr=\"0\">\n<sizes>\n", xml);
        Assert.EndsWith("</malloc>\n", xml);
    }

    [Fact]
    public void WalkHeap_ClassifiesEveryChunk()
    {
        using var h = new GlibcHeap();
        ulong a = h.Malloc(24);
        ulong b = h.Malloc(0x500);
        h.Malloc(16);
        ulong m = h.Malloc(300000);
        h.Free(a);
        h.Free(b);
        IReadOnlyList<HeapBlock> blocks = h.Glibc.WalkHeap();
        Assert.Equal(HeapBlockKind.Metadata, blocks[0].Kind);
        Assert.Contains(blocks, x => x.Address == a - 16 && x.Kind == HeapBlockKind.Cached && x.Detail == "tcache 0x20");
        Assert.Contains(blocks, x => x.Address == b - 16 && x.Kind == HeapBlockKind.Free && x.Detail == "unsorted");
        Assert.Contains(blocks, x => x.Kind == HeapBlockKind.Top);
        Assert.Contains(blocks, x => x.Address == m - 16 && x.Kind == HeapBlockKind.Mmapped);
    }

    [Fact]
    public void GetStatistics_CountsHeldAndAllocatedBytes()
    {
        using var h = new GlibcHeap();
        ulong a = h.Malloc(100);
        h.Malloc(300000);
        AllocatorStatistics s = h.Glibc.GetStatistics();
        Assert.Equal("glibc", s.Strategy);
        Assert.Equal(2, s.LiveBlocks);
        Assert.Equal(0x70UL + 303104UL, s.AllocatedBytes);
        Assert.Equal(0x21000UL + 303104UL, s.HeldBytes);
        h.Free(a);
        Assert.Equal(1, h.Glibc.GetStatistics().LiveBlocks);
    }

    [Fact]
    public void CheckLevelFull_RunsCheckerAfterEveryCall()
    {
        using var h = new GlibcHeap(new GlibcAllocatorOptions { CheckLevel = HeapCheckLevel.Full });
        ulong a = h.Malloc(0x500);
        ulong g = h.Malloc(16);
        ulong c = h.Malloc(16);
        h.Free(a);

        // A program overwrites the foot of the free chunk: the next call (a tcache free that glibc itself does not
        // check) is followed by the full check, which reports G3.
        h.Os.WriteUInt64(g - 16, 0x40);
        HeapCorruptionException e = Assert.Throws<HeapCorruptionException>(() => h.Free(c));
        Assert.Equal("G3", e.Check);
    }

    [Fact]
    public void CheckHeap_BrokenPrevInUseBit_ReportsG4()
    {
        using var h = new GlibcHeap();
        ulong a = h.Malloc(100);
        ulong b = h.Malloc(100);
        h.Os.WriteUInt64(b - 8, h.Os.ReadUInt64(b - 8) & ~1UL);
        HeapCheckResult r = h.Glibc.CheckHeap(HeapCheckLevel.Full);
        Assert.Contains(r.Failures, f => f.Id == "G4");
        _ = a;
    }
}
