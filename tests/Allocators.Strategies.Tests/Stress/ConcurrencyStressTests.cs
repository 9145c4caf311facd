// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Concurrent;
using System.Diagnostics;
using Allocators.Testing;
using Xunit.Abstractions;

namespace Allocators.Strategies.Tests.Stress;

/// <summary>
/// Several real threads (each with its own simulated tid, so glibc spreads them over arenas) allocate, calloc, memalign,
/// realloc, verify and free — including blocks other threads allocated — on one allocator; at the end every block is
/// freed and the full checker must be clean. Seeds are fixed, but the interleaving is up to the scheduler: a failure
/// prints the thread, step and block. These are correctness stress tests, NOT benchmarks: their timings mean nothing.
/// Bounded: a few thousand operations per thread (times ALLOCATORS_PROPERTY_SCALE) and a wall-clock cap.
/// </summary>
[Trait("Category", "Stress")]
public sealed class ConcurrencyStressTests(ITestOutputHelper output)
{
    private const int Threads = 4;
    private static readonly TimeSpan s_cap = TimeSpan.FromSeconds(3);

    public static TheoryData<string> Fixtures => StrategyFixtures.Names;

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void ManyThreads_CrossThreadFreesAndReallocs_ContentsSurviveAndHeapIsClean(string fixture)
    {
        using StrategyUnderTest s = StrategyFixtures.Create(fixture);
        IAllocator allocator = s.Allocator;
        ISimulatedOs os = s.Os;
        int rounds = PropertyScale.Scale(25_000);
        var shared = new ConcurrentQueue<Block>();
        var errors = new ConcurrentQueue<string>();
        long operations = 0;
        var clock = Stopwatch.StartNew();
        using var start = new Barrier(Threads);

        void Check(Block block, string when, int thread, ulong? limit = null)
        {
            long bad = BlockPattern.FindMismatch(os, block.Address, block.Size, block.Seed, limit ?? block.Size);
            if (bad >= 0)
            {
                errors.Enqueue($"thread {thread} {when}: block 0x{block.Address:x} ({block.Size} bytes, from thread {block.Owner}) differs at offset {bad}");
            }
        }

        void Worker(int thread)
        {
            using SimulatedThread.Scope scope = SimulatedThread.Enter(thread);
            var random = new Random(1000 + thread);
            var mine = new List<Block>();
            start.SignalAndWait();
            for (int i = 0; i < rounds && clock.Elapsed < s_cap && errors.IsEmpty; i++)
            {
                Interlocked.Increment(ref operations);
                int pick = random.Next(100);
                try
                {
                    if (pick < 35 || mine.Count == 0)
                    {
                        ulong size = (ulong)(random.Next(20) == 0 ? random.Next(1, 300_000) : random.Next(1, 1500));
                        ulong p = (pick % 7) switch
                        {
                            0 => allocator.AllocateZeroed(1, size),
                            1 => allocator.AllocateAligned(64UL << random.Next(5), size),
                            _ => allocator.Allocate(size),
                        };
                        if (p == 0)
                        {
                            errors.Enqueue($"thread {thread}: allocation of {size} bytes failed");
                            return;
                        }

                        if (pick % 7 == 0 && BlockPattern.FindNonZero(os, p, size) >= 0)
                        {
                            errors.Enqueue($"thread {thread}: calloc({size}) at 0x{p:x} is not zeroed");
                        }

                        var block = new Block(p, size, (byte)random.Next(1, 255), thread);
                        BlockPattern.Write(os, p, size, block.Seed);
                        mine.Add(block);
                    }
                    else if (pick < 50)
                    {
                        // Hand a block to whichever thread frees next.
                        int k = random.Next(mine.Count);
                        shared.Enqueue(mine[k]);
                        mine.RemoveAt(k);
                    }
                    else if (pick < 70)
                    {
                        int k = random.Next(mine.Count);
                        Block old = mine[k];
                        Check(old, "before realloc", thread);
                        ulong newSize = (ulong)random.Next(1, random.Next(10) == 0 ? 200_000 : 3000);
                        ulong q = allocator.Reallocate(old.Address, newSize);
                        if (q == 0)
                        {
                            errors.Enqueue($"thread {thread}: realloc(0x{old.Address:x}, {newSize}) failed");
                            return;
                        }

                        Check(old with { Address = q }, "after realloc", thread, Math.Min(old.Size, newSize));
                        BlockPattern.Write(os, q, newSize, old.Seed);
                        mine[k] = old with { Address = q, Size = newSize };
                    }
                    else
                    {
                        // Prefer a block some other thread allocated.
                        if (!shared.TryDequeue(out Block victim))
                        {
                            victim = mine[^1];
                            mine.RemoveAt(mine.Count - 1);
                        }

                        Check(victim, "before free", thread);
                        allocator.Free(victim.Address);
                    }
                }
                catch (Exception ex)
                {
                    errors.Enqueue($"thread {thread} step {i}: {ex.GetType().Name}: {ex.Message}");
                    return;
                }
            }

            foreach (Block block in mine)
            {
                Check(block, "at the end", thread);
                allocator.Free(block.Address);
            }
        }

        Thread[] threads = [.. Enumerable.Range(1, Threads).Select(t => new Thread(() => Worker(t)))];
        foreach (Thread t in threads)
        {
            t.Start();
        }

        foreach (Thread t in threads)
        {
            t.Join();
        }

        while (shared.TryDequeue(out Block left))
        {
            Check(left, "left over", 0);
            allocator.Free(left.Address);
        }

        output.WriteLine($"{fixture}: {operations:N0} operations on {Threads} threads in {clock.Elapsed.TotalSeconds:F1} s (not a benchmark)");
        Assert.Empty(errors);
        Assert.Equal(0, allocator.GetStatistics().LiveBlocks);
        HeapCheckResult check = allocator.CheckHeap(HeapCheckLevel.Full);
        Assert.True(check.Succeeded, check.ToString());
        Assert.True(operations >= Math.Min(rounds, 500) * Threads / 4, $"only {operations} operations ran before the cap");
    }

    private readonly record struct Block(ulong Address, ulong Size, byte Seed, int Owner);
}
