// Copyright (c) Allocators contributors. MIT License.

using Allocators.Os;
using Allocators.Strategies.Glibc;

namespace Allocators.Strategies.Tests.Glibc;

public sealed class GlibcLockTests
{
    [Fact]
    public async Task Allocate_ObserverCallsBackIntoAllocator_ThrowsInsteadOfDeadlocking()
    {
        using var os = new SimulatedOs();
        var glibc = new GlibcAllocator(os);
        Exception? inner = null;
        os.SyscallObserver = _ =>
        {
            try
            {
                glibc.GetStatistics();
            }
            catch (Exception e)
            {
                inner ??= e;
            }
        };

        ulong p = await Task.Run(() => glibc.Allocate(100)).WaitAsync(TimeSpan.FromSeconds(30)); // a deadlock times out
        Assert.NotEqual(0UL, p);
        var error = Assert.IsType<InvalidOperationException>(inner);
        Assert.Contains("re-entrant", error.Message, StringComparison.Ordinal);

        // The lock was released: the allocator keeps working once the observer behaves.
        os.SyscallObserver = null;
        Assert.NotEqual(0UL, glibc.Allocate(200));
    }

    [Fact]
    public void Allocate_ManyThreads_EveryBlockDistinctAndHeapConsistent()
    {
        using var os = new SimulatedOs();
        var glibc = new GlibcAllocator(os);
        var blocks = new System.Collections.Concurrent.ConcurrentBag<ulong>();
        Parallel.For(0, 4, _ =>
        {
            var mine = new List<ulong>();
            for (int i = 0; i < 2000; i++)
            {
                mine.Add(glibc.Allocate((ulong)(16 + (i % 300))));
                if (i % 3 == 0)
                {
                    glibc.Free(mine[^1]);
                    mine.RemoveAt(mine.Count - 1);
                }
            }

            foreach (ulong p in mine)
            {
                blocks.Add(p);
            }
        });

        Assert.Equal(blocks.Count, blocks.Distinct().Count());
        Assert.True(glibc.CheckHeap(HeapCheckLevel.Full).Succeeded);
    }
}
