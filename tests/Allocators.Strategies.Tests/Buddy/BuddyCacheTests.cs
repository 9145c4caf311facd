// Copyright (c) Allocators contributors. MIT License.

using Allocators.Os;
using Allocators.Strategies.Buddy;
using Allocators.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace Allocators.Strategies.Tests.Buddy;

/// <summary>The per-order cache of freed blocks (<see cref="BuddyAllocatorOptions.PerOrderCacheBlocks"/>).</summary>
public sealed class BuddyCacheTests
{
    // One 4 KiB region, orders 5..12.
    private static BuddyAllocatorOptions Small(int cache, int keep = 1) => new() { MinOrder = 5, MaxOrder = 12, KeepEmptyRegions = keep, PerOrderCacheBlocks = cache };

    private static void AssertClean(BuddyAllocator buddy)
    {
        HeapCheckResult check = buddy.CheckHeap(HeapCheckLevel.Full);
        Assert.True(check.Succeeded, check.ToString());
    }

    [Fact]
    public void Free_WithCache_KeepsBuddiesUnmergedAndReusesTheNewestFirst()
    {
        using var os = new SimulatedOs();
        var buddy = new BuddyAllocator(os, Small(cache: 8));
        ulong a = buddy.Allocate(20);
        ulong b = buddy.Allocate(32);
        ulong c = buddy.Allocate(100);
        Assert.Equal(a ^ 32, b);
        buddy.Free(a);
        buddy.Free(b);

        // Both 32-byte buddies are free but cached, not merged (the strict allocator shows 0 0 1 ... here).
        Assert.Equal("Node 0, zone    Buddy      2      1      0      1      1      1      1      0", buddy.GetBuddyInfo());
        Assert.Equal(2, buddy.GetCachedBlockCount(5));
        Assert.Equal(2, buddy.GetFreeBlockCount(5));
        AssertClean(buddy);
        Assert.Equal(4096UL - 128, buddy.GetStatistics().FreeBytes);

        Assert.Equal(b, buddy.Allocate(30));
        Assert.Equal(a, buddy.Allocate(1));
        Assert.Equal(0, buddy.GetCachedBlockCount(5));
        AssertClean(buddy);

        // The free that empties the region drains its cache first: one maximal block again.
        buddy.Free(a);
        buddy.Free(b);
        buddy.Free(c);
        Assert.Equal("Node 0, zone    Buddy      0      0      0      0      0      0      0      1", buddy.GetBuddyInfo());
        AssertClean(buddy);
    }

    [Fact]
    public void Free_CachedBlockTwice_ReportsDoubleFreeAndChangesNothing()
    {
        using var os = new SimulatedOs();
        var buddy = new BuddyAllocator(os, Small(cache: 8));
        ulong a = buddy.Allocate(64);
        ulong keep = buddy.Allocate(64);
        buddy.Free(a);
        Assert.Equal(1, buddy.GetCachedBlockCount(6));

        HeapCorruptionException error = Assert.Throws<HeapCorruptionException>(() => buddy.Free(a));
        Assert.Equal(a, error.Address);
        Assert.Equal("double free or corruption (the block is free)", error.Check);
        Assert.Contains("per-order cache", error.Message);
        Assert.Equal(1, buddy.GetCachedBlockCount(6));
        Assert.Equal(1, buddy.GetStatistics().LiveBlocks);
        AssertClean(buddy);

        Assert.Throws<HeapCorruptionException>(() => buddy.UsableSize(a));
        Assert.Throws<HeapCorruptionException>(() => buddy.Reallocate(a, 10));
        AssertClean(buddy);
        buddy.Free(keep);
        Assert.Equal(1, buddy.GetFreeBlockCount(12));
    }

    [Fact]
    public void Allocate_CachedBlockWrittenAfterFree_ReportsTheBlockAndRecovers()
    {
        using var os = new SimulatedOs();
        var buddy = new BuddyAllocator(os, Small(cache: 8));
        ulong a = buddy.Allocate(32);
        ulong b = buddy.Allocate(32);
        buddy.Free(b);
        os.WriteUInt64(b, 0x4141_4141_4141_4141); // use after free over the check word

        HeapCheckResult check = buddy.CheckHeap(HeapCheckLevel.Full);
        Assert.Contains(check.Failures, f => f.Id == "B8" && f.Address == b);
        Assert.Contains(buddy.CheckHeap(HeapCheckLevel.Cheap).Failures, f => f.Id == "B8" && f.Address == b);

        HeapCorruptionException error = Assert.Throws<HeapCorruptionException>(() => buddy.Allocate(32));
        Assert.Equal(b, error.Address);
        Assert.Equal("corrupted per-order cache (order 5)", error.Check);

        // Nothing changed but the check word, stamped again: the block is still cached and is handed out next.
        AssertClean(buddy);
        Assert.Equal(1, buddy.GetCachedBlockCount(5));
        Assert.Equal(1, buddy.GetStatistics().LiveBlocks);
        Assert.Equal(b, buddy.Allocate(32));
        buddy.Free(a);
        buddy.Free(b);
        Assert.Equal(1, buddy.GetFreeBlockCount(12));
    }

    [Fact]
    public void Free_CachedBlockWrittenAfterFree_IsReportedWhenTheFullCacheDrains()
    {
        using var os = new SimulatedOs();
        var buddy = new BuddyAllocator(os, Small(cache: 2));
        ulong[] x = Enumerable.Range(0, 6).Select(_ => buddy.Allocate(32)).ToArray();
        buddy.Free(x[1]);
        buddy.Free(x[3]);
        os.WriteUInt64(x[1], 7);

        // The cache is full: this free drains the oldest entry (x1), finds its check word overwritten and reports it before
        // freeing x5, so the failed call freed nothing and the drained block is back on its list.
        HeapCorruptionException error = Assert.Throws<HeapCorruptionException>(() => buddy.Free(x[5]));
        Assert.Equal(x[1], error.Address);
        AssertClean(buddy);
        Assert.Equal(4, buddy.GetStatistics().LiveBlocks);
        buddy.Free(x[5]);
        AssertClean(buddy);
    }

    [Fact]
    public void Free_CacheFull_GivesTheOlderHalfBackWithMerging()
    {
        using var os = new SimulatedOs();
        var buddy = new BuddyAllocator(os, Small(cache: 4));
        ulong[] x = Enumerable.Range(0, 8).Select(_ => buddy.Allocate(32)).ToArray();
        ulong keeper = buddy.Allocate(256);
        for (int i = 1; i < 8; i += 2)
        {
            buddy.Free(x[i]);
        }

        Assert.Equal(4, buddy.GetCachedBlockCount(5));
        long listedBefore = buddy.GetFreeBlockCount(5) - 4;

        // Full: x1 and x3 (the oldest half) go to the list (their buddies are allocated, so they stay order 5), x0 is cached.
        buddy.Free(x[0]);
        Assert.Equal(3, buddy.GetCachedBlockCount(5));
        Assert.Equal(listedBefore + 2, buddy.GetFreeBlockCount(5) - 3);
        AssertClean(buddy);

        buddy.Free(x[2]);
        buddy.Free(x[4]); // full again: x5 and x7 go to the list, x4 is cached (x0 x2 x4)
        buddy.Free(x[6]);
        Assert.Equal(4, buddy.GetCachedBlockCount(5));
        AssertClean(buddy);
        ulong free = buddy.GetStatistics().FreeBytes;

        // Trim drains every cache: the eight 32-byte blocks merge into one 256-byte block next to the keeper.
        Assert.False(buddy.Trim(0));
        Assert.Equal(0, buddy.GetCachedBlockCount(5));
        Assert.Equal(0, buddy.GetFreeBlockCount(5));
        Assert.Equal(0, buddy.GetFreeBlockCount(6));
        Assert.Equal(0, buddy.GetFreeBlockCount(7));
        Assert.Equal(free, buddy.GetStatistics().FreeBytes);
        AssertClean(buddy);
        Assert.Equal(x[0], buddy.AllocateAligned(256, 200));
        buddy.Free(keeper);
    }

    [Fact]
    public void Allocate_NoBlockLargeEnough_DrainsTheCachesBeforeMappingARegion()
    {
        using var os = new SimulatedOs();
        var buddy = new BuddyAllocator(os, Small(cache: 4096));
        ulong[] blocks = Enumerable.Range(0, 128).Select(_ => buddy.Allocate(32)).ToArray();
        Assert.Equal(1, buddy.RegionCount);
        Array.Sort(blocks);
        for (int i = 0; i < 64; i++)
        {
            buddy.Free(blocks[i]);
        }

        Assert.Equal(64, buddy.GetCachedBlockCount(5));
        long mmaps = os.GetStatistics().Mmap;

        // Only merging the cached half makes a 2 KiB block: the caches drain and no region is mapped.
        Assert.Equal(blocks[0], buddy.Allocate(2048));
        Assert.Equal(1, buddy.RegionCount);
        Assert.Equal(mmaps, os.GetStatistics().Mmap);
        Assert.Equal(0, buddy.GetCachedBlockCount(5));
        AssertClean(buddy);
    }

    [Fact]
    public void Reallocate_CachedUpperBuddy_IsAbsorbedInPlace()
    {
        using var os = new SimulatedOs();
        var buddy = new BuddyAllocator(os, Small(cache: 8));
        ulong a = buddy.Allocate(32);
        ulong b = buddy.Allocate(32);
        ulong keep = buddy.Allocate(64);
        BlockPattern.Write(os, a, 32, 9);
        buddy.Free(b);
        Assert.Equal(1, buddy.GetCachedBlockCount(5));

        Assert.Equal(a, buddy.Reallocate(a, 60));
        Assert.Equal(64UL, buddy.UsableSize(a));
        Assert.Equal(-1L, BlockPattern.FindMismatch(os, a, 32, 9, 32));
        Assert.Equal(0, buddy.GetCachedBlockCount(5));
        AssertClean(buddy);
        buddy.Free(a);
        buddy.Free(keep);
        Assert.Equal(1, buddy.GetFreeBlockCount(12));
    }

    [Theory]
    [InlineData(BuddyRegionSource.Mmap)]
    [InlineData(BuddyRegionSource.Brk)]
    public void TrimAndKeepZero_WithCachedBlocks_ReturnEverythingToTheOs(BuddyRegionSource source)
    {
        using var os = new SimulatedOs();
        OsStatistics before = os.GetStatistics();
        var buddy = new BuddyAllocator(os, new BuddyAllocatorOptions { MinOrder = 5, MaxOrder = 13, KeepEmptyRegions = 0, RegionSource = source, PerOrderCacheBlocks = 16 });
        var random = new Random(11);
        var blocks = Enumerable.Range(0, 400).Select(_ => buddy.Allocate(1UL << random.Next(4, 13))).ToList();
        foreach (ulong p in blocks.Where((_, i) => i % 3 != 0))
        {
            buddy.Free(p);
        }

        Assert.True(Enumerable.Range(5, 9).Sum(buddy.GetCachedBlockCount) > 0);
        buddy.Trim(0);
        Assert.Equal(0, Enumerable.Range(5, 9).Sum(buddy.GetCachedBlockCount));
        AssertClean(buddy);

        foreach (ulong p in blocks.Where((_, i) => i % 3 == 0))
        {
            buddy.Free(p);
        }

        Assert.Equal(0, buddy.RegionCount);
        Assert.Equal(0UL, buddy.GetStatistics().HeldBytes);
        if (source == BuddyRegionSource.Mmap)
        {
            Assert.Equal(before.VszBytes, os.GetStatistics().VszBytes);
        }
        else
        {
            Assert.True(os.CurrentBreak - os.InitialBreak < (1UL << 13), $"break 0x{os.CurrentBreak:x}, initial 0x{os.InitialBreak:x}");
        }

        AssertClean(buddy);
    }

    [Fact]
    public void WalkHeap_CachedBlock_IsFreeAndSaysCached()
    {
        using var os = new SimulatedOs();
        var buddy = new BuddyAllocator(os, Small(cache: 8));
        ulong a = buddy.Allocate(32);
        buddy.Allocate(32);
        buddy.Free(a);
        HeapBlock block = Assert.Single(buddy.WalkHeap(), b => b.Address == a);
        Assert.Equal(HeapBlockKind.Free, block.Kind);
        Assert.Contains("cached", block.Detail);
    }

    [Fact]
    [Trait("Category", "Property")]
    public void RandomOperations_AnyCacheSize_InvariantsHoldAndKeepZeroReturnsAllMemory()
    {
        Arbitrary<int> capacities = Gen.Choose(0, 6).ToArbitrary();
        Arbitrary<AllocatorOperation[]> sequences = OperationGenerators.Arbitrary(maxLength: 150, maxBytes: 20_000, maxAlignment: 8192);
        Property property = Prop.ForAll(capacities, sequences, (capacity, operations) =>
        {
            using var os = new SimulatedOs();
            OsStatistics before = os.GetStatistics();
            var buddy = new BuddyAllocator(os, new BuddyAllocatorOptions { MinOrder = 5, MaxOrder = 13, KeepEmptyRegions = 0, PerOrderCacheBlocks = capacity });

            // The model checker runs CheckHeap(Full) after every call: B2 on the lists, B8 on the caches, B3 free + allocated.
            ModelChecker.Check(buddy, operations);
            for (int order = 5; order <= 13; order++)
            {
                Assert.Equal(0, buddy.GetCachedBlockCount(order));
                Assert.Equal(0, buddy.GetFreeBlockCount(order));
            }

            Assert.Equal(0, buddy.RegionCount);
            Assert.Equal(before.VszBytes, os.GetStatistics().VszBytes);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(PropertyScale.Scale(100)), property);
    }

    [Fact]
    [Trait("Category", "Property")]
    public void RandomOperations_SmallCache_FreeingEverythingLeavesOnlyMaximalBlocks()
    {
        Arbitrary<int> capacities = Gen.Choose(1, 6).ToArbitrary();
        Arbitrary<AllocatorOperation[]> sequences = OperationGenerators.Arbitrary(maxLength: 150, maxBytes: 20_000, maxAlignment: 8192);
        Property property = Prop.ForAll(capacities, sequences, (capacity, operations) =>
            BuddyAllocatorTests.CheckFreeingEverythingLeavesOnlyMaximalBlocks(
                new BuddyAllocatorOptions { MinOrder = 5, MaxOrder = 13, KeepEmptyRegions = 1000, PerOrderCacheBlocks = capacity }, operations));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(PropertyScale.Scale(100)), property);
    }
}
