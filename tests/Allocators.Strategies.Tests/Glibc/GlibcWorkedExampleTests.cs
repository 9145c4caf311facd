// Copyright (c) Allocators contributors. MIT License.

using Allocators.Strategies.Glibc;

namespace Allocators.Strategies.Tests.Glibc;

/// <summary>The verified worked examples of glibc-2.36-malloc.md §4.3, §9, §12 and §22, pinned exactly.</summary>
public sealed class GlibcWorkedExampleTests
{
    [Fact]
    public void FirstMalloc_FreshProcess_CarvesTcacheThenUserChunkAt0x2a0()
    {
        using var h = new GlibcHeap();
        ulong a = h.Malloc(1);
        Assert.Equal(0x2a0UL, h.Off(a));
        Assert.Equal(0x21UL, h.Hdr(a));
        Assert.Equal(0x21000UL, h.Brk);
        Assert.Equal(new[] { "brk(NULL)", "brk(B0+0x21000)" }, h.Strace());
        Assert.Equal(0x2b0UL, h.Top);
        Assert.Equal(0x20d50UL, h.Glibc.TopSize);
        MallInfo2 mi = h.Glibc.Mallinfo2();
        Assert.Equal(0x21000UL, mi.Arena);
        Assert.Equal(0x20d50UL, mi.Keepcost);
        Assert.Equal(0x2b0UL, mi.Uordblks);
        h.AssertConsistent();
    }

    [Fact]
    public void Example1_DynamicThreshold_MmapThenHeap()
    {
        using var h = new GlibcHeap();
        h.Malloc(1);
        ulong b = h.Malloc(131072);
        Assert.Equal(0x2c0UL, h.Off(b));
        Assert.Equal(0x20011UL, h.Hdr(b));
        h.ClearSyscalls();
        ulong c = h.Malloc(200000);
        Assert.Equal(0x31002UL, h.Hdr(c));
        Assert.Equal(new[] { "mmap(200704)" }, h.Strace());
        h.ClearSyscalls();
        h.Free(c);
        Assert.Equal(new[] { "munmap(200704)" }, h.Strace());
        Assert.Equal(0x31000UL, h.Glibc.MmapThreshold);
        Assert.Equal(0x62000UL, h.Glibc.TrimThreshold);
        h.ClearSyscalls();
        ulong d = h.Malloc(200000);
        Assert.Equal(0x202d0UL, h.Off(d));
        Assert.Equal(0x30d51UL, h.Hdr(d));
        Assert.Equal(0x72000UL, h.Brk);
        Assert.Equal(new[] { "brk(B0+0x72000)" }, h.Strace());
        h.AssertConsistent();
    }

    [Fact]
    public void Example2_GrowthAndTrims_MatchBreakValues()
    {
        using var h = new GlibcHeap();
        h.Malloc(1);
        ulong b = h.Malloc(120000);
        Assert.Equal(0x3880UL, h.Glibc.TopSize);
        ulong c = h.Malloc(120000);
        Assert.Equal(0x5b000UL, h.Brk);
        Assert.Equal(0x203b0UL, h.Glibc.TopSize);
        h.Free(c);
        Assert.Equal(0x3e000UL, h.Brk);
        Assert.Equal(0x20880UL, h.Glibc.TopSize);
        h.Free(b);
        Assert.Equal(0x21000UL, h.Brk);
        Assert.Equal(0x20d50UL, h.Glibc.TopSize);
        Assert.True(h.Glibc.Trim(0));
        Assert.Equal(0x1000UL, h.Brk);
        Assert.Equal(0xd50UL, h.Glibc.TopSize);
        h.AssertConsistent();
    }

    [Fact]
    public void Example3_MemalignFirst_TcacheCreatedLater()
    {
        using var h = new GlibcHeap();
        ulong a = h.Glibc.AllocateAligned(64, 100);
        Assert.Equal(0x40UL, h.Off(a));
        Assert.Equal(0x71UL, h.Hdr(a));
        Assert.Equal(0x21000UL, h.Brk);
        ulong b = h.Malloc(10);
        Assert.Equal(0x380UL, h.Off(b));
        MallInfo2 mi = h.Glibc.Mallinfo2();
        Assert.Equal(1UL, mi.Ordblks);
        Assert.Equal(2UL, mi.Smblks);
        ulong p0 = h.Glibc.Pvalloc(0);
        Assert.Equal(0x1000UL, h.Off(p0));
        Assert.Equal(0x20UL, h.Hdr(p0) & ~7UL);
        ulong p1 = h.Glibc.Pvalloc(1);
        Assert.Equal(0x2000UL, h.Off(p1));
        Assert.Equal(0x1010UL, h.Hdr(p1) & ~7UL);
        ulong v = h.Glibc.Valloc(5000);
        Assert.Equal(0x4000UL, h.Off(v));
        Assert.Equal(0x1390UL, h.Hdr(v) & ~7UL);
        h.AssertConsistent();
    }

    [Fact]
    public void Example4_LargeBinOrderAndLastRemainder()
    {
        using var h = new GlibcHeap();
        ulong a = h.Malloc(0x4f0);
        h.Malloc(0x10);
        ulong b = h.Malloc(0x4f0);
        h.Malloc(0x10);
        ulong c = h.Malloc(0x4f0);
        h.Malloc(0x10);
        Assert.Equal(new[] { 0x2a0UL, 0x7c0UL, 0xce0UL }, new[] { h.Off(a), h.Off(b), h.Off(c) });
        h.Free(a);
        h.Free(b);
        h.Free(c);
        h.Malloc(0x600);
        Assert.Equal(0xce0UL, h.Off(h.Malloc(0x4f0)));
        Assert.Equal(0x7c0UL, h.Off(h.Malloc(0x4f0)));
        Assert.Equal(0x2a0UL, h.Off(h.Malloc(0x4f0)));
        ulong d = h.Malloc(0x500);
        h.Malloc(0x10);
        h.Free(d);
        Assert.Equal(d, h.Malloc(0x100));
        Assert.Equal(d + 0x110, h.Malloc(0x100));
        h.AssertConsistent();
    }

    [Fact]
    public void Example5_TrimQuirk_GrowsBreakWhenTopIsMinsize()
    {
        using var h = new GlibcHeap();
        h.Malloc(134472);
        Assert.Equal(0x20UL, h.Glibc.TopSize);
        Assert.True(h.Glibc.Trim(65536));
        Assert.Equal(0x21000UL + 0x11000UL, h.Brk);
        Assert.True(h.Glibc.Trim(0));
        Assert.Equal(0x22000UL, h.Brk);
        Assert.Equal(0x1020UL, h.Glibc.TopSize);
        h.AssertConsistent();
    }

    [Fact]
    public void Example6_UnsortedScanStopsAfter10000Chunks()
    {
        using var h = new GlibcHeap();
        var chunks = new ulong[12000];
        for (int i = 0; i < chunks.Length; i++)
        {
            chunks[i] = h.Malloc(0x4f0);
            h.Malloc(0x10);
        }

        foreach (ulong p in chunks)
        {
            h.Free(p);
        }

        h.Malloc(0x2000);
        Assert.Equal(chunks[10000], h.Malloc(0x4f0));
        h.AssertConsistent();
    }

    [Fact]
    public void Tcache_NineFrees_SevenCachedTwoFastAndCallocSkipsTcache()
    {
        using var h = new GlibcHeap();
        var p = new ulong[9];
        for (int i = 0; i < 9; i++)
        {
            p[i] = h.Malloc(24);
        }

        h.Malloc(24);
        foreach (ulong x in p)
        {
            h.Free(x);
        }

        MallInfo2 mi = h.Glibc.Mallinfo2();
        Assert.Equal(2UL, mi.Smblks);
        Assert.Equal(0x40UL, mi.Fsmblks);
        Assert.Equal(p[8], h.Glibc.AllocateZeroed(1, 24));
        Assert.Equal(p[6], h.Malloc(24));
        h.AssertConsistent();
    }

    [Fact]
    public void Malloc131072_FreshProcess_ServedFromHeapNotMmap()
    {
        using var h = new GlibcHeap();
        ulong p = h.Malloc(131072);
        Assert.Equal(0x2a0UL, h.Off(p));
        Assert.Equal(0x20011UL, h.Hdr(p));
        Assert.DoesNotContain(h.Syscalls, s => s.Kind == SyscallKind.Mmap);
    }

    [Fact]
    public void ForeignSbrk_NextGrowthAlignsTopAndFencepostsOldTop()
    {
        using var h = new GlibcHeap();
        h.Malloc(100);
        h.Malloc(100000);
        ulong oldTop = h.Glibc.TopChunk;
        ulong oldTopSize = h.Glibc.TopSize;
        ulong oldBreak = h.Os.CurrentBreak;
        h.Glibc.Sbrk(5);
        ulong big = h.Malloc(100000);
        Assert.NotEqual(0UL, big);
        ulong newTopStart = oldBreak + 5 + 11;
        Assert.Equal(newTopStart + 16, big);
        Assert.Equal(0, (long)(h.Os.CurrentBreak % 4096));

        // Fenceposts after the shrunken old top; the old top was freed into the unsorted bin, so the first
        // fencepost's P bit is clear and its PREV word is the foot.
        ulong os2 = (oldTopSize - 32) & ~15UL;
        Assert.Equal(0x10UL, h.Os.ReadUInt64(oldTop + os2 + 8));
        Assert.Equal(os2, h.Os.ReadUInt64(oldTop + os2));
        Assert.Equal(0x11UL, h.Os.ReadUInt64(oldTop + os2 + 24));
        Assert.Equal(h.Os.CurrentBreak - h.B0, h.Glibc.SystemMem);
        h.AssertConsistent();
    }

    [Fact]
    public void BrkFailure_FallsBackToMmapOf2MiB_The236SwappedArgumentBug()
    {
        using var h = new GlibcHeap(new GlibcAllocatorOptions { MmapMax = 0 });
        h.Malloc(1);
        h.ClearSyscalls();
        h.Os.Faults.FailNextBrk();
        ulong p = h.Malloc(1500000);
        Assert.NotEqual(0UL, p);
        List<string> s = h.Strace();
        Assert.Equal(2, s.Count);
        Assert.StartsWith("brk(", s[0]);
        Assert.Equal("mmap(2097152)", s[1]);
    }

    [Fact]
    public void HugeRequest_FailsWithMmapBrkAndFallbackThenNull()
    {
        using var h = new GlibcHeap();
        h.Malloc(1);
        h.ClearSyscalls();
        ulong p = h.Malloc(1UL << 60);
        Assert.Equal(0UL, p);
        Assert.Equal(AllocationFailure.OutOfMemory, h.Glibc.GetStatistics().LastFailure);
        Assert.Equal(SyscallKind.Mmap, h.Syscalls[0].Kind);
        Assert.Equal(SyscallKind.Brk, h.Syscalls[1].Kind);
        Assert.Equal(SyscallKind.Mmap, h.Syscalls[2].Kind);
        Assert.Equal(3, h.Syscalls.Count);
    }
}
