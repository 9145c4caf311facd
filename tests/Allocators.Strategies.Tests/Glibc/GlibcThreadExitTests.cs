// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Strategies.Tests.Glibc;

/// <summary>
/// Thread exit (spec §19): tcache_thread_shutdown returns the cached chunks and the tcache structure to their arenas,
/// the arena goes on the free list, and the next new thread takes it before making an arena of its own. The
/// end-to-end check against the real glibc is the recorder test that records a threaded C program and verifies it.
/// </summary>
public sealed class GlibcThreadExitTests
{
    private const ulong HeapMax = 64UL << 20;

    [Fact]
    public void ThreadExit_NextThreadReusesTheExitedThreadsArena()
    {
        using var h = new GlibcHeap();
        h.Malloc(1); // main thread
        ulong first;
        using (SimulatedThread.Enter(1))
        {
            first = h.Malloc(100);
            h.Free(first);
        }

        h.Glibc.ThreadExit(1);
        h.AssertConsistent();
        h.ClearSyscalls();
        ulong second;
        using (SimulatedThread.Enter(2))
        {
            second = h.Malloc(100);
        }

        Assert.Equal(first & ~(HeapMax - 1), second & ~(HeapMax - 1));
        Assert.Equal(4UL, h.Hdr(second) & 4);
        Assert.DoesNotContain(h.Syscalls, s => s.Kind == SyscallKind.Mmap); // no new arena
        h.AssertConsistent();
    }

    [Fact]
    public void WithoutThreadExit_ASecondThreadGetsANewArena()
    {
        using var h = new GlibcHeap();
        h.Malloc(1);
        ulong first, second;
        using (SimulatedThread.Enter(1))
        {
            first = h.Malloc(100);
            h.Free(first);
        }

        using (SimulatedThread.Enter(2))
        {
            second = h.Malloc(100);
        }

        Assert.NotEqual(first & ~(HeapMax - 1), second & ~(HeapMax - 1));
    }

    [Fact]
    public void ThreadExit_CachedChunksGoBackToTheirArena_AndTheTcacheStructIsFreed()
    {
        using var h = new GlibcHeap();
        var mainChunks = new List<ulong>();
        for (int i = 0; i < 5; i++)
        {
            mainChunks.Add(h.Malloc(200));
        }

        ulong guard = h.Malloc(16);
        using (SimulatedThread.Enter(1))
        {
            foreach (ulong p in mainChunks)
            {
                h.Free(p); // cached in thread 1's tcache, though they belong to the main arena
            }
        }

        // While thread 1 lives, the main thread cannot get those chunks back (calloc bypasses the tcache).
        ulong before = h.Glibc.AllocateZeroed(1, 200);
        Assert.DoesNotContain(before, mainChunks);
        h.Free(before);
        h.Glibc.ThreadExit(1);
        h.AssertConsistent();

        // After the exit they were freed into the main arena (unsorted bin, merged): calloc finds them.
        ulong after = h.Glibc.AllocateZeroed(1, 200);
        Assert.InRange(after, mainChunks.Min(), mainChunks.Max() + 0x100);
        Assert.NotEqual(0UL, guard);
        h.AssertConsistent();
    }

    [Fact]
    public void ThreadExit_ThreadThatNeverAllocated_IsANoOp()
    {
        using var h = new GlibcHeap();
        h.Glibc.ThreadExit(7); // before any allocation
        h.Malloc(10);
        int calls = h.Syscalls.Count;
        h.Glibc.ThreadExit(9);
        Assert.Equal(calls, h.Syscalls.Count);
        h.AssertConsistent();
    }

    [Fact]
    public void ThreadExit_ReusedThreadId_StartsAFreshThread()
    {
        using var h = new GlibcHeap();
        h.Malloc(1);
        ulong a;
        using (SimulatedThread.Enter(3))
        {
            a = h.Malloc(40);
        }

        h.Glibc.ThreadExit(3);
        using (SimulatedThread.Enter(3))
        {
            // A new tcache structure is made for the new thread 3, in the arena it takes from the free list.
            ulong b = h.Malloc(40);
            Assert.Equal(a & ~(HeapMax - 1), b & ~(HeapMax - 1));
            h.Free(b);
            h.Free(a);
        }

        h.AssertConsistent();
    }

    [Fact]
    public void ThreadExit_UnalignedTcacheLink_ReportsGlibcsMessage()
    {
        using var h = new GlibcHeap();
        h.Malloc(1);
        ulong p, q;
        using (SimulatedThread.Enter(1))
        {
            p = h.Malloc(48);
            q = h.Malloc(48);
            h.Free(q);
            h.Free(p); // head of the bin: p, whose next (safe-linked) is q
        }

        // A use-after-free write: p's next now reveals to an unaligned address.
        h.Os.WriteUInt64(p, (p >> 12) ^ (q + 8));
        var e = Assert.Throws<HeapCorruptionException>(() => h.Glibc.ThreadExit(1));
        Assert.Equal("tcache_thread_shutdown(): unaligned tcache chunk detected", e.Check);
        Assert.Equal(q + 8, e.Address);
    }
}
