// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Concurrent;
using Allocators.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace Allocators.Strategies.Tests.Contract;

/// <summary>The IAllocator contract, written once and run against every strategy in <see cref="StrategyFixtures.All"/>.</summary>
public sealed class AllocatorContractTests
{
    private static readonly ulong[] s_sizes = [0, 1, 8, 15, 16, 17, 24, 25, 31, 32, 33, 100, 1000, 1008, 1024, 1025, 4095, 4096, 4097, 65536, 131072, 200_000, 1 << 20];

    public static TheoryData<string> AllStrategies => StrategyFixtures.Names;

    [Theory]
    [MemberData(nameof(AllStrategies))]
    public void Allocate_ManySizes_LiveBlocksDoNotOverlap(string strategy)
    {
        using StrategyUnderTest s = StrategyFixtures.Create(strategy);
        var blocks = new List<(ulong Address, ulong Size)>();
        for (int round = 0; round < 3; round++)
        {
            foreach (ulong size in s_sizes)
            {
                ulong p = s.Allocator.Allocate(size);
                Assert.NotEqual(0UL, p);
                blocks.Add((p, Math.Max(size, 1)));
            }
        }

        blocks.Sort((a, b) => a.Address.CompareTo(b.Address));
        for (int i = 1; i < blocks.Count; i++)
        {
            Assert.True(blocks[i - 1].Address + blocks[i - 1].Size <= blocks[i].Address, $"0x{blocks[i - 1].Address:x}+{blocks[i - 1].Size} overlaps 0x{blocks[i].Address:x}");
        }

        AssertHeapClean(s.Allocator);
    }

    [Theory]
    [MemberData(nameof(AllStrategies))]
    public void Allocate_AnySize_Returns16ByteAlignedAddressWithEnoughUsableSpace(string strategy)
    {
        using StrategyUnderTest s = StrategyFixtures.Create(strategy);
        foreach (ulong size in s_sizes)
        {
            ulong p = s.Allocator.Allocate(size);
            Assert.Equal(0UL, p % 16);
            Assert.True(s.Allocator.UsableSize(p) >= size, $"usable {s.Allocator.UsableSize(p)} < {size}");

            // The whole usable area is writable.
            ulong usable = s.Allocator.UsableSize(p);
            if (usable > 0)
            {
                s.Os.WriteByte(p, 0xAB);
                s.Os.WriteByte(p + usable - 1, 0xCD);
            }
        }

        AssertHeapClean(s.Allocator);
    }

    [Theory]
    [MemberData(nameof(AllStrategies))]
    public void Reallocate_GrowAndShrink_KeepsContents(string strategy)
    {
        using StrategyUnderTest s = StrategyFixtures.Create(strategy);
        ulong p = s.Allocator.Allocate(40);
        BlockPattern.Write(s.Os, p, 40, 7);
        ulong[] sizes = [100, 4000, 5000, 300_000, 64, 2_000_000, 24, 24, 1];
        ulong current = 40;
        foreach (ulong size in sizes)
        {
            ulong q = s.Allocator.Reallocate(p, size);
            Assert.NotEqual(0UL, q);
            Assert.Equal(-1L, BlockPattern.FindMismatch(s.Os, q, current, 7, Math.Min(current, size)));
            BlockPattern.Write(s.Os, q, size, 7);
            (p, current) = (q, size);
            AssertHeapClean(s.Allocator);
        }

        s.Allocator.Free(p);
        Assert.Equal(0, s.Allocator.GetStatistics().LiveBlocks);
    }

    [Theory]
    [MemberData(nameof(AllStrategies))]
    public void AllocateZeroed_AfterDirtyMemoryWasFreed_ReturnsZeroes(string strategy)
    {
        using StrategyUnderTest s = StrategyFixtures.Create(strategy);
        ulong[] sizes = [16, 24, 100, 1000, 4096, 10_000, 200_000];
        foreach (ulong size in sizes)
        {
            var dirty = new List<ulong>();
            for (int i = 0; i < 8; i++)
            {
                ulong p = s.Allocator.Allocate(size);
                s.Os.Fill(p, s.Allocator.UsableSize(p), 0xFF);
                dirty.Add(p);
            }

            foreach (ulong p in dirty)
            {
                s.Allocator.Free(p);
            }

            for (int i = 0; i < 8; i++)
            {
                ulong z = s.Allocator.AllocateZeroed(1, size);
                Assert.NotEqual(0UL, z);
                Assert.Equal(-1L, BlockPattern.FindNonZero(s.Os, z, size));
                ulong z2 = s.Allocator.AllocateZeroed(size / 8 == 0 ? 1 : size / 8, 8);
                Assert.Equal(-1L, BlockPattern.FindNonZero(s.Os, z2, Math.Max(8, size / 8 * 8)));
            }
        }

        AssertHeapClean(s.Allocator);
    }

    [Theory]
    [MemberData(nameof(AllStrategies))]
    public void Free_Null_IsANoOp(string strategy)
    {
        using StrategyUnderTest s = StrategyFixtures.Create(strategy);
        ulong p = s.Allocator.Allocate(32);
        AllocatorStatistics before = s.Allocator.GetStatistics();
        s.Allocator.Free(0);
        AllocatorStatistics after = s.Allocator.GetStatistics();
        Assert.Equal(before.Frees, after.Frees);
        Assert.Equal(before.LiveBlocks, after.LiveBlocks);
        Assert.Equal(before.Os.Syscalls, after.Os.Syscalls);
        s.Allocator.Free(p);
        AssertHeapClean(s.Allocator);
    }

    [Theory]
    [MemberData(nameof(AllStrategies))]
    public void Reallocate_Null_Allocates(string strategy)
    {
        using StrategyUnderTest s = StrategyFixtures.Create(strategy);
        ulong p = s.Allocator.Reallocate(0, 100);
        Assert.NotEqual(0UL, p);
        Assert.True(s.Allocator.UsableSize(p) >= 100);
        Assert.Equal(1, s.Allocator.GetStatistics().LiveBlocks);
        AssertHeapClean(s.Allocator);
    }

    [Theory]
    [MemberData(nameof(AllStrategies))]
    public void Reallocate_ToZero_FreesAndReturnsNull(string strategy)
    {
        using StrategyUnderTest s = StrategyFixtures.Create(strategy);
        ulong p = s.Allocator.Allocate(100);
        Assert.Equal(0UL, s.Allocator.Reallocate(p, 0));
        Assert.Equal(0, s.Allocator.GetStatistics().LiveBlocks);
        AssertHeapClean(s.Allocator);

        // The block really is free: freeing it again is a double free.
        Assert.True(IsMisuseError(Record.Exception(() => s.Allocator.Free(p))));
    }

    [Theory]
    [MemberData(nameof(AllStrategies))]
    public void AllocateAligned_PowerOfTwoAlignments_AreHonoured(string strategy)
    {
        using StrategyUnderTest s = StrategyFixtures.Create(strategy);
        foreach (ulong alignment in new ulong[] { 1, 8, 16, 32, 64, 128, 256, 1024, 4096, 8192, 65536 })
        {
            foreach (ulong size in new ulong[] { 1, 16, 100, 4096, 70_000 })
            {
                ulong p = s.Allocator.AllocateAligned(alignment, size);
                Assert.NotEqual(0UL, p);
                Assert.Equal(0UL, p % Math.Max(alignment, 16));
                Assert.True(s.Allocator.UsableSize(p) >= size);
                s.Os.Fill(p, size, 0x11);
            }
        }

        AssertHeapClean(s.Allocator);
    }

    [Theory]
    [MemberData(nameof(AllStrategies))]
    public void AllocateAligned_NonPowerOfTwo_FailsOrRoundsUpWithoutCorruption(string strategy)
    {
        using StrategyUnderTest s = StrategyFixtures.Create(strategy);
        ulong p = s.Allocator.AllocateAligned(48, 100);
        if (p != 0)
        {
            // glibc's memalign rounds the alignment up to the next power of two.
            Assert.Equal(0UL, p % 64);
        }
        else
        {
            Assert.Equal(AllocationFailure.InvalidArgument, s.Allocator.GetStatistics().LastFailure);
        }

        AssertHeapClean(s.Allocator);
    }

    [Theory]
    [MemberData(nameof(AllStrategies))]
    public void Allocate_Huge_ReturnsNullAndCountsOutOfMemory(string strategy)
    {
        using StrategyUnderTest s = StrategyFixtures.Create(strategy);
        ulong keep = s.Allocator.Allocate(64);
        foreach (ulong size in new ulong[] { ulong.MaxValue, ulong.MaxValue - 4096, 1UL << 62, 1UL << 48 })
        {
            long failedBefore = s.Allocator.GetStatistics().FailedAllocations;
            Assert.Equal(0UL, s.Allocator.Allocate(size));
            AllocatorStatistics stats = s.Allocator.GetStatistics();
            Assert.Equal(failedBefore + 1, stats.FailedAllocations);
            Assert.Equal(AllocationFailure.OutOfMemory, stats.LastFailure);
        }

        Assert.Equal(0UL, s.Allocator.AllocateZeroed(1UL << 33, 1UL << 33));
        Assert.Equal(0UL, s.Allocator.AllocateAligned(1UL << 63, 16));
        Assert.Equal(0UL, s.Allocator.Reallocate(keep, ulong.MaxValue - 64));
        Assert.Equal(1, s.Allocator.GetStatistics().LiveBlocks);
        Assert.True(s.Allocator.UsableSize(keep) >= 64);
        AssertHeapClean(s.Allocator);
    }

    [Theory]
    [MemberData(nameof(AllStrategies))]
    public void Free_Twice_IsDetected(string strategy)
    {
        using StrategyUnderTest s = StrategyFixtures.Create(strategy);
        foreach (ulong size in new ulong[] { 24, 1000, 100_000, 2_000_000 })
        {
            ulong p = s.Allocator.Allocate(size);
            ulong other = s.Allocator.Allocate(size);
            s.Allocator.Free(p);
            Exception? error = Record.Exception(() => s.Allocator.Free(p));
            if (error is SegmentationFaultException && s.Fixture.DoubleFreeOfUnmappedBlockMayFault && size >= 1 << 20)
            {
                s.Allocator.Free(other);
                continue;
            }

            Assert.True(IsMisuseError(error), $"size {size}: expected a double-free error, got {error?.GetType().Name ?? "nothing"}");
            Assert.Contains($"{p:x}", error!.Message, StringComparison.OrdinalIgnoreCase);
            s.Allocator.Free(other);
            AssertHeapClean(s.Allocator);
        }
    }

    [Theory]
    [MemberData(nameof(AllStrategies))]
    public void Free_ForeignOrMisalignedPointer_IsRejectedAndHeapStaysUsable(string strategy)
    {
        using StrategyUnderTest s = StrategyFixtures.Create(strategy);
        ulong p = s.Allocator.Allocate(100);
        BlockPattern.Write(s.Os, p, 100, 3);

        Exception? misaligned = Record.Exception(() => s.Allocator.Free(p + 1));
        Assert.True(IsMisuseError(misaligned), $"misaligned free: got {misaligned?.GetType().Name ?? "nothing"}");

        Exception? foreign = Record.Exception(() => s.Allocator.Free(0x1000_0000_0000));
        Assert.True(IsMisuseError(foreign) || foreign is SegmentationFaultException, $"foreign free: got {foreign?.GetType().Name ?? "nothing"}");

        Assert.Equal(-1L, BlockPattern.FindMismatch(s.Os, p, 100, 3, 100));
        s.Allocator.Free(p);
        Assert.Equal(0, s.Allocator.GetStatistics().LiveBlocks);
        AssertHeapClean(s.Allocator);
    }

    [Theory]
    [MemberData(nameof(AllStrategies))]
    [Trait("Category", "Stress")]
    public async Task ConcurrentUse_TwoThreadsWithCrossThreadFrees_StaysConsistent(string strategy)
    {
        using StrategyUnderTest s = StrategyFixtures.Create(strategy);
        IAllocator allocator = s.Allocator;
        var handoff = new ConcurrentQueue<(ulong Address, ulong Size, byte Seed)>();
        int rounds = PropertyScale.Scale(1500);
        var errors = new ConcurrentQueue<string>();

        void Worker(int id)
        {
            var random = new Random(id);
            var mine = new List<(ulong Address, ulong Size, byte Seed)>();
            for (int i = 0; i < rounds; i++)
            {
                int pick = random.Next(10);
                if (pick < 4 || mine.Count == 0)
                {
                    ulong size = (ulong)random.Next(1, pick == 0 ? 70_000 : 600);
                    ulong p = allocator.Allocate(size);
                    byte seed = (byte)random.Next(1, 255);
                    BlockPattern.Write(s.Os, p, size, seed);
                    mine.Add((p, size, seed));
                }
                else if (pick < 6)
                {
                    int k = random.Next(mine.Count);
                    handoff.Enqueue(mine[k]);
                    mine.RemoveAt(k);
                }
                else if (pick < 8)
                {
                    int k = random.Next(mine.Count);
                    (ulong p, ulong size, byte seed) = mine[k];
                    ulong newSize = (ulong)random.Next(1, 2000);
                    ulong q = allocator.Reallocate(p, newSize);
                    if (BlockPattern.FindMismatch(s.Os, q, size, seed, Math.Min(size, newSize)) >= 0)
                    {
                        errors.Enqueue($"thread {id}: realloc lost contents of 0x{p:x}");
                    }

                    BlockPattern.Write(s.Os, q, newSize, seed);
                    mine[k] = (q, newSize, seed);
                }
                else
                {
                    (ulong Address, ulong Size, byte Seed) victim;
                    if (!handoff.TryDequeue(out victim))
                    {
                        victim = mine[^1];
                        mine.RemoveAt(mine.Count - 1);
                    }

                    if (BlockPattern.FindMismatch(s.Os, victim.Address, victim.Size, victim.Seed, victim.Size) >= 0)
                    {
                        errors.Enqueue($"thread {id}: contents of 0x{victim.Address:x} changed");
                    }

                    allocator.Free(victim.Address);
                }
            }

            foreach ((ulong p, _, _) in mine)
            {
                allocator.Free(p);
            }
        }

        await Task.WhenAll(Task.Run(() => Worker(1)), Task.Run(() => Worker(2)));
        while (handoff.TryDequeue(out var left))
        {
            allocator.Free(left.Address);
        }

        Assert.Empty(errors);
        Assert.Equal(0, allocator.GetStatistics().LiveBlocks);
        AssertHeapClean(allocator);
    }

    [Theory]
    [MemberData(nameof(AllStrategies))]
    [Trait("Category", "Property")]
    public void OperationSequences_MatchTheReferenceModel(string strategy)
    {
        StrategyFixture fixture = StrategyFixtures.Get(strategy);
        Arbitrary<AllocatorOperation[]> sequences = OperationGenerators.Arbitrary(maxLength: 120, maxBytes: fixture.MaxBlockBytesForProperties);
        Property property = Prop.ForAll(sequences, operations =>
        {
            using StrategyUnderTest s = StrategyFixtures.Create(strategy);
            ModelChecker.Check(s.Allocator, operations);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(PropertyScale.Scale(60)), property);
    }

    [Theory]
    [MemberData(nameof(AllStrategies))]
    [Trait("Category", "Property")]
    public void LongRandomRun_MatchesTheReferenceModel(string strategy)
    {
        StrategyFixture fixture = StrategyFixtures.Get(strategy);
        using StrategyUnderTest s = StrategyFixtures.Create(strategy);
        var checker = new ModelChecker(s.Allocator, new ModelCheckerOptions { CheckLevel = HeapCheckLevel.Cheap, VerifyAllEvery = 256, MaxLiveBlocks = 300 });
        int total = PropertyScale.Scale(20_000);
        Gen<AllocatorOperation> operation = OperationGenerators.Operation(fixture.MaxBlockBytesForProperties);
        int done = 0;
        for (ulong batchSeed = 1; done < total; batchSeed++)
        {
            // Seeded batches: a failure names its batch and replays identically.
            AllocatorOperation[] batch = operation.Sample(1000, new Rnd(batchSeed), 1000);
            try
            {
                checker.Run(batch);
            }
            catch (ModelCheckException ex)
            {
                throw new ModelCheckException($"batch seed {batchSeed}: {ex.Message}", ex);
            }

            done += batch.Length;
            Assert.True(s.Allocator.CheckHeap(HeapCheckLevel.Full).Succeeded, s.Allocator.CheckHeap(HeapCheckLevel.Full).ToString());
        }

        checker.FreeAll();
        AssertHeapClean(s.Allocator);
    }

    [Theory]
    [MemberData(nameof(AllStrategies))]
    [Trait("Category", "BadInput")]
    public void OsRefusesMemory_AllocationsReturnNullStayConsistentAndRecover(string strategy)
    {
        using StrategyUnderTest s = StrategyFixtures.Create(strategy);
        var live = new List<(ulong Address, ulong Size, byte Seed)>();
        byte seed = 1;
        foreach (ulong size in new ulong[] { 100, 5000, 300_000 })
        {
            ulong p = s.Allocator.Allocate(size);
            BlockPattern.Write(s.Os, p, size, seed);
            live.Add((p, size, seed++));
        }

        for (int mode = 0; mode < 2; mode++)
        {
            if (mode == 0)
            {
                s.Os.Faults.FailNextMmap(100_000);
                s.Os.Faults.FailNextBrk(100_000);
            }
            else
            {
                s.Os.Limits.AddressSpaceLimitBytes = s.Os.GetStatistics().VszBytes;
            }

            int nulls = 0;
            foreach (ulong size in new ulong[] { 16, 1000, 70_000, 2_000_000, 8_000_000 })
            {
                long failedBefore = s.Allocator.GetStatistics().FailedAllocations;
                ulong p = s.Allocator.Allocate(size);
                if (p == 0)
                {
                    nulls++;
                    Assert.Equal(failedBefore + 1, s.Allocator.GetStatistics().FailedAllocations);
                    Assert.Equal(AllocationFailure.OutOfMemory, s.Allocator.GetStatistics().LastFailure);
                }
                else
                {
                    BlockPattern.Write(s.Os, p, size, seed);
                    live.Add((p, size, seed++));
                }

                AssertHeapClean(s.Allocator);
            }

            // Growing a block in place or by moving may fail too; the old block must survive untouched.
            (ulong a, ulong aSize, byte aSeed) = live[1];
            ulong grown = s.Allocator.Reallocate(a, 4_000_000);
            if (grown == 0)
            {
                Assert.Equal(-1L, BlockPattern.FindMismatch(s.Os, a, aSize, aSeed, aSize));
            }
            else
            {
                live[1] = (grown, 4_000_000, aSeed);
                BlockPattern.Write(s.Os, grown, 4_000_000, aSeed);
            }

            Assert.True(nulls > 0, "the refused OS never made an allocation fail");
            AssertHeapClean(s.Allocator);
            s.Os.Faults.Reset();
            s.Os.Limits.AddressSpaceLimitBytes = 0;

            ulong again = s.Allocator.Allocate(8_000_000);
            Assert.NotEqual(0UL, again);
            s.Allocator.Free(again);
        }

        foreach ((ulong p, ulong size, byte sd) in live)
        {
            Assert.Equal(-1L, BlockPattern.FindMismatch(s.Os, p, size, sd, size));
            s.Allocator.Free(p);
        }

        Assert.Equal(0, s.Allocator.GetStatistics().LiveBlocks);
        AssertHeapClean(s.Allocator);
    }

    internal static bool IsMisuseError(Exception? error) => error is HeapCorruptionException or AllocatorArgumentException;

    private static void AssertHeapClean(IAllocator allocator)
    {
        HeapCheckResult result = allocator.CheckHeap(HeapCheckLevel.Full);
        Assert.True(result.Succeeded, result.ToString());
    }
}
