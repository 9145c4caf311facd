// Copyright (c) Allocators contributors. MIT License.

using Allocators.Os;
using Allocators.Strategies.Buddy;
using Allocators.Testing;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.Options;

namespace Allocators.Strategies.Tests.Buddy;

public sealed class BuddyAllocatorTests
{
    // A 4 KiB region with orders 5..12 keeps hand-made states small.
    private static BuddyAllocatorOptions Small(int keep = 1) => new() { MinOrder = 5, MaxOrder = 12, KeepEmptyRegions = keep };

    // The same without the per-order cache: every free merges at once (the strict buddy behaviour these tests spell out).
    private static BuddyAllocatorOptions Strict(int keep = 1) => new() { MinOrder = 5, MaxOrder = 12, KeepEmptyRegions = keep, PerOrderCacheBlocks = 0 };

    [Fact]
    public void Allocate_SmallestBlock_SplitsTheRegionDownOneBlockPerOrder()
    {
        using var os = new SimulatedOs();
        var buddy = new BuddyAllocator(os, Small());
        ulong a = buddy.Allocate(20);
        Assert.Equal(0UL, a % 4096);
        Assert.Equal("Node 0, zone    Buddy      1      1      1      1      1      1      1      0", buddy.GetBuddyInfo());
        Assert.Equal(32UL, buddy.UsableSize(a));

        // The next 32-byte block is a's buddy: a XOR 32.
        ulong b = buddy.Allocate(32);
        Assert.Equal(a ^ 32, b);
        Assert.Equal("Node 0, zone    Buddy      0      1      1      1      1      1      1      0", buddy.GetBuddyInfo());

        ulong c = buddy.Allocate(100);
        Assert.Equal(a + 128, c);
        Assert.Equal(128UL, buddy.UsableSize(c));
        Assert.Equal("Node 0, zone    Buddy      0      1      0      1      1      1      1      0", buddy.GetBuddyInfo());
        Assert.True(buddy.CheckHeap(HeapCheckLevel.Full).Succeeded);
    }

    [Fact]
    public void Free_AllBlocks_MergesBackToOneMaximalBlock()
    {
        using var os = new SimulatedOs();
        var buddy = new BuddyAllocator(os, Strict());
        ulong a = buddy.Allocate(20);
        ulong b = buddy.Allocate(32);
        ulong c = buddy.Allocate(100);
        buddy.Free(a);
        Assert.Equal("Node 0, zone    Buddy      1      1      0      1      1      1      1      0", buddy.GetBuddyInfo());
        buddy.Free(b);
        Assert.Equal("Node 0, zone    Buddy      0      0      1      1      1      1      1      0", buddy.GetBuddyInfo());
        buddy.Free(c);
        Assert.Equal("Node 0, zone    Buddy      0      0      0      0      0      0      0      1", buddy.GetBuddyInfo());
        Assert.True(buddy.CheckHeap(HeapCheckLevel.Full).Succeeded);
    }

    [Fact]
    public void Fragmentation_EveryOtherMinimumBlockFree_MatchesLinuxIndices()
    {
        using var os = new SimulatedOs();
        var buddy = new BuddyAllocator(os, Small());
        var blocks = new List<ulong>();
        for (int i = 0; i < 128; i++)
        {
            blocks.Add(buddy.Allocate(20));
        }

        Assert.Equal(1, buddy.RegionCount);
        Assert.Equal(128UL * 12, buddy.InternalFragmentationBytes);
        blocks.Sort();
        for (int i = 0; i < 128; i += 2)
        {
            buddy.Free(blocks[i]);
        }

        // 64 free 32-byte blocks, none mergeable: 2048 free bytes, largest 32.
        Assert.Equal(64, buddy.GetFreeBlockCount(5));
        Assert.Equal(1.0 - (32.0 / 2048), buddy.ExternalFragmentation, 9);
        Assert.Equal(-1.0, buddy.GetFragmentationIndex(5));
        Assert.Equal(0.0, buddy.GetUnusableFreeSpaceIndex(5));

        // Linux: 1000 - (1000 + 64*1000/2) / 64 = 1000 - 515 = 485.
        Assert.Equal(0.485, buddy.GetFragmentationIndex(6), 9);
        Assert.Equal(1.0, buddy.GetUnusableFreeSpaceIndex(6));

        // order 12: 1000 - (1000 + 64000/128) / 64 = 1000 - 23 = 977.
        Assert.Equal(0.977, buddy.GetFragmentationIndex(12), 9);
        AllocatorStatistics stats = buddy.GetStatistics();
        Assert.Equal(2048UL, stats.FreeBytes);
        Assert.Equal(32UL, stats.LargestFreeBlock);
        Assert.Equal(64 * 20UL, stats.AllocatedBytes);
        Assert.Equal(64UL * 12, buddy.InternalFragmentationBytes);
    }

    [Fact]
    public void FragmentationIndex_NothingFree_IsZero()
    {
        using var os = new SimulatedOs();
        var buddy = new BuddyAllocator(os, Small());
        Assert.Equal(0.0, buddy.GetFragmentationIndex(7));
        Assert.Equal(0.0, buddy.GetUnusableFreeSpaceIndex(7));
        Assert.Throws<ArgumentOutOfRangeException>(() => buddy.GetFragmentationIndex(4));
    }

    [Theory]
    [InlineData(BuddyRegionSource.Mmap)]
    [InlineData(BuddyRegionSource.Brk)]
    public void KeepZero_FreeEverything_ReturnsAllMemoryToTheOs(BuddyRegionSource source)
    {
        using var os = new SimulatedOs();
        OsStatistics before = os.GetStatistics();
        var buddy = new BuddyAllocator(os, new BuddyAllocatorOptions { MinOrder = 5, MaxOrder = 14, KeepEmptyRegions = 0, RegionSource = source });
        var blocks = new List<ulong>();
        var random = new Random(5);
        for (int i = 0; i < 500; i++)
        {
            blocks.Add(buddy.Allocate((ulong)random.Next(1, 20_000)));
        }

        Assert.True(buddy.RegionCount > 1);
        foreach (ulong p in blocks.OrderBy(_ => random.Next()))
        {
            buddy.Free(p);
        }

        Assert.Equal(0, buddy.RegionCount);
        Assert.Equal(0UL, buddy.GetStatistics().HeldBytes);
        OsStatistics after = os.GetStatistics();
        if (source == BuddyRegionSource.Mmap)
        {
            Assert.Equal(before.VszBytes, after.VszBytes);
            Assert.Equal(before.MapCount, after.MapCount);
        }
        else
        {
            // Only the alignment gap below the first region may remain above the initial break.
            Assert.True(os.CurrentBreak - os.InitialBreak < (1UL << 14), $"break 0x{os.CurrentBreak:x}, initial 0x{os.InitialBreak:x}");
        }

        Assert.True(buddy.CheckHeap(HeapCheckLevel.Full).Succeeded);
    }

    [Fact]
    public void Trim_ReleasesKeptEmptyRegions()
    {
        using var os = new SimulatedOs();
        var buddy = new BuddyAllocator(os, Small(keep: 10));
        var blocks = Enumerable.Range(0, 10).Select(_ => buddy.Allocate(2048)).ToList();
        blocks.ForEach(buddy.Free);
        Assert.Equal(5, buddy.RegionCount);
        Assert.Equal(5, buddy.GetFreeBlockCount(12));
        Assert.True(buddy.Trim(0));
        Assert.Equal(0, buddy.RegionCount);
        Assert.False(buddy.Trim(0));
    }

    [Fact]
    public void Reallocate_BuddyFree_GrowsInPlace_AndShrinksInPlace()
    {
        using var os = new SimulatedOs();
        var buddy = new BuddyAllocator(os, Small());
        ulong a = buddy.Allocate(32);
        BlockPattern.Write(os, a, 32, 5);
        Assert.Equal(a, buddy.Reallocate(a, 200));
        Assert.Equal(256UL, buddy.UsableSize(a));
        Assert.Equal(-1L, BlockPattern.FindMismatch(os, a, 32, 5, 32));
        Assert.True(buddy.CheckHeap(HeapCheckLevel.Full).Succeeded);

        Assert.Equal(a, buddy.Reallocate(a, 40));
        Assert.Equal(64UL, buddy.UsableSize(a));
        Assert.Equal("Node 0, zone    Buddy      0      1      1      1      1      1      1      0", buddy.GetBuddyInfo());
        Assert.True(buddy.CheckHeap(HeapCheckLevel.Full).Succeeded);

        // Blocked by an allocated buddy: the block moves and keeps its contents.
        ulong b = buddy.Allocate(64);
        Assert.Equal(a + 64, b);
        ulong moved = buddy.Reallocate(a, 100);
        Assert.NotEqual(a, moved);
        Assert.Equal(-1L, BlockPattern.FindMismatch(os, moved, 32, 5, 32));
        Assert.True(buddy.CheckHeap(HeapCheckLevel.Full).Succeeded);
    }

    [Fact]
    public void Allocate_AboveLargestOrder_GetsItsOwnMapping()
    {
        using var os = new SimulatedOs();
        var buddy = new BuddyAllocator(os, Small());
        long mmaps = os.GetStatistics().Mmap;
        ulong p = buddy.Allocate(10_000);
        Assert.Equal(mmaps + 1, os.GetStatistics().Mmap);
        Assert.Equal(0, buddy.RegionCount);
        Assert.Contains(buddy.WalkHeap(), b => b.Kind == HeapBlockKind.Mmapped && b.Address == p);
        ulong q = buddy.Reallocate(p, 50_000);
        Assert.True(buddy.UsableSize(q) >= 50_000);
        buddy.Free(q);
        Assert.Equal(0UL, buddy.GetStatistics().HeldBytes);
    }

    [Fact]
    public void Free_Twice_ReportsTheBlockAndStaysConsistent()
    {
        using var os = new SimulatedOs();
        var buddy = new BuddyAllocator(os, Small());
        ulong a = buddy.Allocate(64);
        ulong keep = buddy.Allocate(64);
        buddy.Free(a);
        HeapCorruptionException error = Assert.Throws<HeapCorruptionException>(() => buddy.Free(a));
        Assert.Equal(a, error.Address);
        Assert.Contains("double free", error.Message);
        Assert.True(buddy.CheckHeap(HeapCheckLevel.Full).Succeeded);
        Assert.Equal(1, buddy.GetStatistics().LiveBlocks);
        buddy.Free(keep);
    }

    [Fact]
    public void Free_NotABlockStart_NamesTheContainingBlock()
    {
        using var os = new SimulatedOs();
        var buddy = new BuddyAllocator(os, Small());
        ulong a = buddy.Allocate(128);
        AllocatorArgumentException interior = Assert.Throws<AllocatorArgumentException>(() => buddy.Free(a + 32));
        Assert.Contains($"inside allocated block 0x{a:x} of order 7", interior.Message);
        AllocatorArgumentException misaligned = Assert.Throws<AllocatorArgumentException>(() => buddy.Free(a + 3));
        Assert.Contains($"0x{a:x}", misaligned.Message);
        Assert.Throws<AllocatorArgumentException>(() => buddy.Free(0x10_0000));
        Assert.True(buddy.CheckHeap(HeapCheckLevel.Full).Succeeded);
        buddy.Free(a);
    }

    [Fact]
    public void Free_BuddyNodeOverwrittenAfterFree_ReportsCorruptListAndRebuildsIt()
    {
        using var os = new SimulatedOs();
        var buddy = new BuddyAllocator(os, Strict());
        ulong a = buddy.Allocate(32);
        ulong b = buddy.Allocate(32);
        buddy.Free(b);

        // Use after free: the program scribbles over b's free-list node.
        os.WriteUInt64(b + BuddyAllocator.NextOffset, 0xdead_beef_0000);
        Assert.False(buddy.CheckHeap(HeapCheckLevel.Full).Succeeded);
        HeapCorruptionException error = Assert.Throws<HeapCorruptionException>(() => buddy.Free(a));
        Assert.Equal(b, error.Address);
        Assert.Contains("corrupted free list (order 5)", error.Message);

        // The lists were rebuilt from the out-of-band map; a is still allocated and can be freed normally.
        HeapCheckResult check = buddy.CheckHeap(HeapCheckLevel.Full);
        Assert.True(check.Succeeded, check.ToString());
        Assert.Equal(1, buddy.GetStatistics().LiveBlocks);
        buddy.Free(a);
        Assert.Equal("Node 0, zone    Buddy      0      0      0      0      0      0      0      1", buddy.GetBuddyInfo());
    }

    [Fact]
    public void Free_PrevWordOfAnInnerNodeOverwritten_ReportsTheNodeAndChangesNothing()
    {
        using var os = new SimulatedOs();
        var buddy = new BuddyAllocator(os, Strict());
        ulong a = buddy.Allocate(32);
        ulong b = buddy.Allocate(32);
        ulong c = buddy.Allocate(32);
        ulong d = buddy.Allocate(32);
        buddy.Free(b);
        buddy.Free(d); // the order-5 list is d -> b: b is not the head, so its prev word is live

        os.WriteUInt64(b + BuddyAllocator.PrevOffset, 0x4242_4242_4242_4242);
        HeapCorruptionException error = Assert.Throws<HeapCorruptionException>(() => buddy.Free(a));
        Assert.Equal(b, error.Address);
        Assert.Contains("prev word", error.Message);

        HeapCheckResult check = buddy.CheckHeap(HeapCheckLevel.Full);
        Assert.True(check.Succeeded, check.ToString());
        Assert.Equal(2, buddy.GetStatistics().LiveBlocks);
        Assert.Equal(32UL, buddy.UsableSize(a));
        buddy.Free(a);
        buddy.Free(c);
        Assert.Equal("Node 0, zone    Buddy      0      0      0      0      0      0      0      1", buddy.GetBuddyInfo());
    }

    [Fact]
    public void Allocate_FreeNodeNextWordZeroed_ReportsAndRecovers()
    {
        using var os = new SimulatedOs();
        var buddy = new BuddyAllocator(os, Small());
        ulong a = buddy.Allocate(32);
        ulong buddyOfA = a ^ 32;
        os.WriteUInt64(buddyOfA + BuddyAllocator.NextOffset, 0); // overflow from a into its free buddy
        HeapCorruptionException error = Assert.Throws<HeapCorruptionException>(() => buddy.Allocate(32));
        Assert.Equal(buddyOfA, error.Address);
        Assert.Contains("next word", error.Message);
        Assert.Contains("overwritten", error.Message);
        Assert.True(buddy.CheckHeap(HeapCheckLevel.Full).Succeeded);
        Assert.Equal(buddyOfA, buddy.Allocate(32));
    }

    [Fact]
    public void CheckLevelFull_CorruptionBehindTheAllocatorsBack_ThrowsOnTheNextCall()
    {
        using var os = new SimulatedOs();
        var buddy = new BuddyAllocator(os, new BuddyAllocatorOptions { MinOrder = 5, MaxOrder = 12, CheckLevel = HeapCheckLevel.Full });
        ulong a = buddy.Allocate(32);
        os.WriteUInt64((a ^ 64) + BuddyAllocator.NextOffset, 12345);
        HeapCorruptionException error = Assert.Throws<HeapCorruptionException>(() => buddy.Allocate(2000));
        Assert.Contains("B4", error.Message);
    }

    [Fact]
    public void Allocate_RegionMmapFails_ReturnsNullAndRecovers()
    {
        using var os = new SimulatedOs();
        var buddy = new BuddyAllocator(os, Small());
        os.Faults.FailNextMmap();
        Assert.Equal(0UL, buddy.Allocate(100));
        Assert.Equal(AllocationFailure.OutOfMemory, buddy.GetStatistics().LastFailure);
        Assert.True(buddy.CheckHeap(HeapCheckLevel.Full).Succeeded);
        Assert.NotEqual(0UL, buddy.Allocate(100));
    }

    [Fact]
    public void AllocateAligned_LargeAlignment_UsesABlockOfThatOrder()
    {
        using var os = new SimulatedOs();
        var buddy = new BuddyAllocator(os);
        ulong p = buddy.AllocateAligned(65536, 100);
        Assert.Equal(0UL, p % 65536);
        Assert.Equal(65536UL, buddy.UsableSize(p));
        ulong q = buddy.AllocateAligned(1 << 21, 100);
        Assert.Equal(0UL, q % (1 << 21));
        Assert.True(buddy.CheckHeap(HeapCheckLevel.Full).Succeeded);
    }

    [Fact]
    public void Constructor_InvalidOptions_ListsEveryFailure()
    {
        using var os = new SimulatedOs();
        OptionsValidationException error = Assert.Throws<OptionsValidationException>(() => new BuddyAllocator(os, new BuddyAllocatorOptions { MinOrder = 3, MaxOrder = 40, KeepEmptyRegions = -1, PerOrderCacheBlocks = -1 }));
        Assert.Equal(5, error.Failures.Count());
        Assert.Contains(error.Failures, f => f.Contains("PerOrderCacheBlocks", StringComparison.Ordinal));
        Assert.Throws<OptionsValidationException>(() => new BuddyAllocator(os, new BuddyAllocatorOptions { PerOrderCacheBlocks = 4097 }));
        Assert.Throws<OptionsValidationException>(() => new BuddyAllocator(os, new BuddyAllocatorOptions { MinOrder = 14, MaxOrder = 13 }));
    }

    [Fact]
    [Trait("Category", "Property")]
    public void RandomOperations_InvariantsHold_AndFreeingEverythingLeavesOnlyMaximalBlocks()
    {
        Arbitrary<AllocatorOperation[]> sequences = OperationGenerators.Arbitrary(maxLength: 150, maxBytes: 20_000, maxAlignment: 8192);
        Property property = Prop.ForAll(sequences, operations =>
            CheckFreeingEverythingLeavesOnlyMaximalBlocks(new BuddyAllocatorOptions { MinOrder = 5, MaxOrder = 13, KeepEmptyRegions = 1000 }, operations));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(PropertyScale.Scale(100)), property);
    }

    /// <summary>
    /// Runs <paramref name="operations"/> through the model checker (which frees everything at the end) and asserts only
    /// maximal blocks remain, one per region, and every held byte is free. <paramref name="options"/> must use orders 5..13.
    /// </summary>
    internal static void CheckFreeingEverythingLeavesOnlyMaximalBlocks(BuddyAllocatorOptions options, AllocatorOperation[] operations)
    {
        using var os = new SimulatedOs();
        var buddy = new BuddyAllocator(os, options);
        ModelChecker.Check(buddy, operations);
        for (int order = 5; order < 13; order++)
        {
            Assert.Equal(0, buddy.GetFreeBlockCount(order));
        }

        Assert.Equal(buddy.RegionCount, buddy.GetFreeBlockCount(13));
        AllocatorStatistics stats = buddy.GetStatistics();
        Assert.Equal(stats.HeldBytes, stats.FreeBytes);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(32)]
    [Trait("Category", "BadInput")]
    public void Overflow_IntoAllocatedNeighbour_CannotCorruptTheAllocator(int overflowBytes)
    {
        using var os = new SimulatedOs();
        var buddy = new BuddyAllocator(os, Small());
        ulong a = buddy.Allocate(32);
        ulong b = buddy.Allocate(32);
        Assert.Equal(a + 32, b);

        // The user's overflow damages b's contents only: no header or link lives there.
        os.Fill(a, 32 + (ulong)overflowBytes, 0x41);
        Assert.True(buddy.CheckHeap(HeapCheckLevel.Full).Succeeded);
        buddy.Free(b);
        buddy.Free(a);
        Assert.Equal(0, buddy.GetStatistics().LiveBlocks);
        Assert.Equal(1, buddy.GetFreeBlockCount(12));
        Assert.True(buddy.CheckHeap(HeapCheckLevel.Full).Succeeded);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(32)]
    [Trait("Category", "BadInput")]
    public void Overflow_IntoFreeNeighbour_IsDetectedAtItsNextUse(int overflowBytes)
    {
        using var os = new SimulatedOs();
        var buddy = new BuddyAllocator(os, Small());
        ulong a = buddy.Allocate(32);
        os.Fill(a, 32 + (ulong)overflowBytes, 0x41);
        HeapCheckResult check = buddy.CheckHeap(HeapCheckLevel.Full);
        Assert.Contains(check.Failures, f => f.Id == "B4" && f.Address == a + 32);

        Exception error = Assert.ThrowsAny<Exception>(() => buddy.Free(a));
        HeapCorruptionException corruption = Assert.IsType<HeapCorruptionException>(error);
        Assert.Equal(a + 32, corruption.Address);
        Assert.True(buddy.CheckHeap(HeapCheckLevel.Full).Succeeded);
        buddy.Free(a);
        Assert.Equal(1, buddy.GetFreeBlockCount(12));
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Underflow_IntoFreeBlockBelow_IsDetected()
    {
        using var os = new SimulatedOs();
        var buddy = new BuddyAllocator(os, Small());
        ulong a = buddy.Allocate(32);
        ulong b = buddy.Allocate(32);
        buddy.Free(a);
        os.WriteUInt64(b - 32, 0x4141_4141_4141_4141); // 32 bytes before b is the (encoded) next word of free block a
        HeapCorruptionException error = Assert.Throws<HeapCorruptionException>(() => buddy.Allocate(32));
        Assert.Equal(a, error.Address);
        Assert.True(buddy.CheckHeap(HeapCheckLevel.Full).Succeeded);
    }
}
