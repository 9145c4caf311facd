// Copyright (c) Allocators contributors. MIT License.

using Allocators.Strategies.Glibc;

namespace Allocators.Strategies.Tests.Glibc;

/// <summary>Thread arenas (spec §19): layout of a new arena, growth, trimming, frees across threads, the arena limit.</summary>
public sealed class GlibcArenaTests
{
    private const ulong HeapMax = 64UL << 20;

    [Fact]
    public void SecondThread_FirstMalloc_NewArenaLayoutAndSyscalls()
    {
        using var h = new GlibcHeap();
        using (SimulatedThread.Enter(1))
        {
            h.Malloc(1);
        }

        h.ClearSyscalls();
        ulong p;
        using (SimulatedThread.Enter(2))
        {
            p = h.Malloc(1);
        }

        ulong heap = p & ~(HeapMax - 1);
        Assert.Equal(0xb70UL, p - heap);
        Assert.Equal(0x25UL, h.Hdr(p));
        Assert.Equal(0x295UL, h.Os.ReadUInt64(heap + 0x8d0 + 8));
        Assert.Equal(SyscallKind.Mmap, h.Syscalls[0].Kind);
        Assert.Equal(128UL << 20, h.Syscalls[0].Arg1);
        Assert.Equal(MapFlags.PrivateAnonymous | MapFlags.NoReserve, (MapFlags)h.Syscalls[0].Arg3);
        SyscallRecord last = h.Syscalls[^1];
        Assert.Equal(SyscallKind.Mprotect, last.Kind);
        Assert.Equal(heap, last.Arg0);
        Assert.Equal(0x21000UL, last.Arg1);
        ulong unmapped = h.Syscalls.Where(s => s.Kind == SyscallKind.Munmap).Aggregate(0UL, (a, s) => a + s.Arg1);
        Assert.Equal(64UL << 20, unmapped);
        h.AssertConsistent();
    }

    [Fact]
    public void ThreadArena_GrowsWithMprotect_AndFreesFromOtherThreadGoToOwner()
    {
        using var h = new GlibcHeap();
        using (SimulatedThread.Enter(1))
        {
            h.Malloc(1);
        }

        var ptrs = new List<ulong>();
        using (SimulatedThread.Enter(2))
        {
            for (int i = 0; i < 40; i++)
            {
                ptrs.Add(h.Malloc(10000));
            }
        }

        Assert.All(ptrs, p => Assert.Equal(4UL, h.Hdr(p) & 4));
        Assert.Contains(h.Syscalls, s => s.Kind == SyscallKind.Mprotect && s.Arg1 != 0x21000);
        h.AssertConsistent();
        using (SimulatedThread.Enter(1))
        {
            foreach (ulong p in ptrs)
            {
                h.Free(p);
            }
        }

        h.AssertConsistent();
        using (SimulatedThread.Enter(2))
        {
            Assert.Equal(4UL, h.Hdr(h.Malloc(10000)) & 4);
        }

        h.AssertConsistent();
    }

    [Fact]
    public void ThreadArena_LargeFreeTrimsWithMadvise()
    {
        using var h = new GlibcHeap();
        using (SimulatedThread.Enter(1))
        {
            h.Malloc(1);
        }

        using (SimulatedThread.Enter(2))
        {
            var ptrs = new List<ulong>();
            for (int i = 0; i < 30; i++)
            {
                ptrs.Add(h.Malloc(20000));
            }

            h.ClearSyscalls();
            for (int i = ptrs.Count - 1; i >= 0; i--)
            {
                h.Free(ptrs[i]);
            }
        }

        Assert.Contains(h.Syscalls, s => s.Kind == SyscallKind.Madvise);
        h.AssertConsistent();
    }

    [Fact]
    public void ArenaMaxOne_SecondThreadSharesMainArena()
    {
        using var h = new GlibcHeap(new GlibcAllocatorOptions { ArenaMax = 1 });
        using (SimulatedThread.Enter(1))
        {
            h.Malloc(1);
        }

        ulong p;
        using (SimulatedThread.Enter(2))
        {
            p = h.Malloc(1);
        }

        Assert.Equal(0UL, h.Hdr(p) & 4);
        Assert.Equal(0x2c0UL + 0x290UL, h.Off(p));
        Assert.DoesNotContain(h.Syscalls, s => s.Kind == SyscallKind.Mmap);
    }

    [Fact]
    public void ArenaLimit_AfterArenaTestExceeded_ReusesRoundRobin()
    {
        using var h = new GlibcHeap(new GlibcAllocatorOptions { ArenaTest = 2, ProcessorCount = 1 });
        var arenas = new HashSet<ulong>();
        for (int t = 1; t <= 12; t++)
        {
            using (SimulatedThread.Enter(t))
            {
                ulong p = h.Malloc(100);
                arenas.Add((h.Hdr(p) & 4) == 0 ? 0 : p & ~(HeapMax - 1));
            }
        }

        // narenas grows while narenas <= arena_test, then the limit is 8 × 1 processor.
        Assert.Equal(8, arenas.Count);
        h.AssertConsistent();
    }

    [Fact]
    public void ThreadArena_BeyondOneHeap_ChainsNewHeapAndUnmapsItWhenFreed()
    {
        // Without tcache and fastbins the fenceposted remainder of the first heap's old top coalesces, so heap_trim
        // can fold the emptied second heap back (with them, the cached remainder blocks it, as in glibc).
        using var h = new GlibcHeap(new GlibcAllocatorOptions { TcacheCount = 0, MaxFastBytes = 0 });
        using (SimulatedThread.Enter(1))
        {
            h.Malloc(1);
        }

        using (SimulatedThread.Enter(2))
        {
            var ptrs = new List<ulong>();
            for (int i = 0; i < 600; i++)
            {
                ptrs.Add(h.Malloc(120000));
            }

            var heaps = ptrs.Select(p => p & ~(HeapMax - 1)).Distinct().ToList();
            Assert.Equal(2, heaps.Count);
            h.AssertConsistent();
            string info = h.Glibc.MallocInfo();
            Assert.Contains("<heap nr=\"1\">", info);
            Assert.Contains("<aspace type=\"subheaps\" size=\"2\"/>", info);
            Assert.StartsWith("Arena 0:\n", h.Glibc.MallocStats());
            Assert.Contains("Arena 1:\n", h.Glibc.MallocStats());

            h.ClearSyscalls();
            for (int i = ptrs.Count - 1; i >= 0; i--)
            {
                h.Free(ptrs[i]);
            }

            Assert.Contains(h.Syscalls, s => s.Kind == SyscallKind.Munmap && s.Arg1 == HeapMax && s.Arg0 == heaps[1]);
            h.AssertConsistent();
            Assert.Equal(4UL, h.Hdr(h.Malloc(100)) & 4);
        }
    }
}
