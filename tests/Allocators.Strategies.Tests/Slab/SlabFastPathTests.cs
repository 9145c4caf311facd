// Copyright (c) Allocators contributors. MIT License.

using Allocators.Strategies.Slab;

namespace Allocators.Strategies.Tests.Slab;

/// <summary>
/// The allocate and free fast paths (magazine pop and push without an exception frame) run only at
/// <see cref="HeapCheckLevel.None"/>: these tests use that level, drive objects through the magazines, and call the
/// full checker themselves.
/// </summary>
public sealed class SlabFastPathTests
{
    [Fact]
    public void Free_DoubleFreeOfObjectParkedInMagazine_ThrowsAndStaysConsistent()
    {
        using var t = SlabTestOs.Create(magazineSize: 8, check: HeapCheckLevel.None);
        ulong a = t.Allocator.Allocate(64);
        ulong b = t.Allocator.Allocate(64);
        t.Allocator.Free(a);   // pushed on the loaded magazine
        Assert.Equal(1, t.Allocator.GetSlabInfo().Single(i => i.Name == "kmalloc-64").ActiveObjects);

        var ex = Assert.Throws<HeapCorruptionException>(() => t.Allocator.Free(a));
        Assert.Equal(a, ex.Address);
        Assert.Contains("double free", ex.Message);
        t.AssertConsistent();
        Assert.Equal(1, t.Allocator.GetStatistics().LiveBlocks);

        // The gate was released on the throw, the magazine still holds a exactly once.
        Assert.Equal(a, t.Allocator.Allocate(64));
        t.Allocator.Free(a);
        t.Allocator.Free(b);
        t.AssertConsistent();
    }

    [Fact]
    public void Free_InteriorPointerAndTail_ThrowArgumentAndChangeNothing()
    {
        using var t = SlabTestOs.Create(magazineSize: 8, check: HeapCheckLevel.None);
        ulong a = t.Allocator.Allocate(192);
        AllocatorStatistics before = t.Allocator.GetStatistics();

        var inside = Assert.Throws<AllocatorArgumentException>(() => t.Allocator.Free(a + 8));
        Assert.Contains("not the start of an object", inside.Message);

        // kmalloc-192: 21 objects in a one-page slab leave a 64-byte tail at the page end.
        ulong tail = (a & ~4095UL) + 4096 - 16;
        Assert.Throws<AllocatorArgumentException>(() => t.Allocator.Free(tail));

        AllocatorStatistics after = t.Allocator.GetStatistics();
        Assert.Equal(before.LiveBlocks, after.LiveBlocks);
        Assert.Equal(before.AllocatedBytes, after.AllocatedBytes);
        t.AssertConsistent();
        t.Allocator.Free(a);
        t.AssertConsistent();
    }

    [Fact]
    public void Free_TypedObjectThroughMalloc_ThrowsAndTheTypedCacheStillFreesIt()
    {
        using var t = SlabTestOs.Create(magazineSize: 8, check: HeapCheckLevel.None);
        SlabCache typed = t.Allocator.CreateCache("typed-64", 64);
        ulong a = typed.Allocate();
        ulong warm = t.Allocator.Allocate(64);
        t.Allocator.Free(warm);   // kmalloc-64 has a loaded magazine with room

        var ex = Assert.Throws<AllocatorArgumentException>(() => t.Allocator.Free(a));
        Assert.Contains("typed-64", ex.Message);
        t.AssertConsistent();
        typed.Free(a);
        t.AssertConsistent();
    }

    [Fact]
    public void ShortRequests_ThroughMagazines_KeepRoundingWasteExact()
    {
        using var t = SlabTestOs.Create(magazineSize: 4, check: HeapCheckLevel.None);
        SlabCacheInfo Info() => t.Allocator.GetSlabInfo().Single(i => i.Name == "kmalloc-48");

        var shortOnes = Enumerable.Range(0, 6).Select(_ => t.Allocator.Allocate(40)).ToList();
        Assert.Equal(6UL * 8, Info().RoundingWasteBytes);
        foreach (ulong a in shortOnes)
        {
            t.Allocator.Free(a);   // padded objects: their padded bits are cleared on the way into the magazines
        }

        Assert.Equal(0UL, Info().RoundingWasteBytes);
        t.AssertConsistent();

        // Popped from the magazines at the full size: nothing to record; at a short size: recorded again.
        ulong full = t.Allocator.Allocate(48);
        ulong small = t.Allocator.Allocate(33);
        Assert.Equal(15UL, Info().RoundingWasteBytes);
        Assert.Equal(48UL, t.Allocator.UsableSize(small));
        t.AssertConsistent();
        t.Allocator.Free(small);
        t.Allocator.Free(full);
        Assert.Equal(0UL, Info().RoundingWasteBytes);
        t.AssertConsistent();
    }

    [Fact]
    public void Statistics_AfterFastPathChurn_CountLiveBlocksBytesAndPeak()
    {
        using var t = SlabTestOs.Create(magazineSize: 16, check: HeapCheckLevel.None);
        var live = Enumerable.Range(0, 100).Select(_ => t.Allocator.Allocate(64)).ToList();
        var random = new Random(6);
        for (int step = 0; step < 1000; step++)
        {
            int victim = random.Next(live.Count);
            t.Allocator.Free(live[victim]);
            live[victim] = t.Allocator.Allocate(64);
        }

        AllocatorStatistics stats = t.Allocator.GetStatistics();
        Assert.Equal(100, stats.LiveBlocks);
        Assert.Equal(100UL * 64, stats.AllocatedBytes);
        Assert.Equal(100UL * 64, stats.PeakAllocatedBytes);
        Assert.Equal(1100, stats.Allocations);
        Assert.Equal(100, t.Allocator.GetSlabInfo().Single(i => i.Name == "kmalloc-64").ActiveObjects);
        t.AssertConsistent();

        foreach (ulong a in live)
        {
            t.Allocator.Free(a);
        }

        t.Allocator.Reap();
        Assert.Equal(t.BaselineVsz, t.Os.GetStatistics().VszBytes);
        t.AssertConsistent();
    }

    [Fact]
    public void Free_Zero_IsANoOpAndReleasesTheGate()
    {
        using var t = SlabTestOs.Create(magazineSize: 4, check: HeapCheckLevel.None);
        t.Allocator.Free(0);
        ulong a = t.Allocator.Allocate(16);
        t.Allocator.Free(0);
        t.Allocator.Free(a);
        Assert.Equal(0, t.Allocator.GetStatistics().LiveBlocks);
        t.AssertConsistent();
    }

    [Fact]
    public void Magazines_SwitchingSimulatedThreads_EachThreadPopsItsOwnPushes()
    {
        using var t = SlabTestOs.Create(magazineSize: 4, check: HeapCheckLevel.None);
        ulong a;
        using (SimulatedThread.Enter(1))
        {
            a = t.Allocator.Allocate(32);
            t.Allocator.Free(a);
        }

        using (SimulatedThread.Enter(2))
        {
            ulong b = t.Allocator.Allocate(32);
            Assert.NotEqual(a, b);
            t.Allocator.Free(b);
            Assert.Equal(b, t.Allocator.Allocate(32));
            t.Allocator.Free(b);
        }

        using (SimulatedThread.Enter(1))
        {
            Assert.Equal(a, t.Allocator.Allocate(32));
            t.Allocator.Free(a);
        }

        t.AssertConsistent();
    }

    [Theory]
    [InlineData(false)]   // every host thread is simulated thread 0: they share one magazine pair per cache
    [InlineData(true)]    // each host thread is its own simulated thread
    [Trait("Category", "Stress")]
    public void Concurrency_HostThreadsChurningThroughTheFastPaths_StayConsistent(bool ownSimulatedThread)
    {
        using var t = SlabTestOs.Create(magazineSize: 8, check: HeapCheckLevel.None);
        const int Threads = 4;
        const int Steps = 5000;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var workers = Enumerable.Range(0, Threads).Select(w => new Thread(() =>
        {
            try
            {
                using SimulatedThread.Scope scope = SimulatedThread.Enter(ownSimulatedThread ? w + 1 : 0);
                var random = new Random(w);
                var live = new List<ulong>();
                for (int step = 0; step < Steps; step++)
                {
                    if (live.Count > 0 && random.Next(2) == 0)
                    {
                        int victim = random.Next(live.Count);
                        t.Allocator.Free(live[victim]);
                        live[victim] = live[^1];
                        live.RemoveAt(live.Count - 1);
                    }
                    else
                    {
                        ulong size = (ulong)random.Next(1, 200);
                        ulong a = t.Allocator.Allocate(size);
                        Assert.NotEqual(0UL, a);
                        t.Os.WriteUInt64(a, (ulong)w);
                        live.Add(a);
                    }
                }

                foreach (ulong a in live)
                {
                    Assert.Equal((ulong)w, t.Os.ReadUInt64(a));   // no object was handed to two threads
                    t.Allocator.Free(a);
                }
            }
            catch (Exception ex)
            {
                failures.Enqueue(ex);
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());

        Assert.Empty(failures);
        Assert.Equal(0, t.Allocator.GetStatistics().LiveBlocks);
        Assert.Equal(0UL, t.Allocator.GetStatistics().AllocatedBytes);
        t.AssertConsistent();
        t.Allocator.Reap();
        Assert.Equal(t.BaselineVsz, t.Os.GetStatistics().VszBytes);
    }
}
