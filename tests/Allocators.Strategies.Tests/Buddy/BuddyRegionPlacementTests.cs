// Copyright (c) Allocators contributors. MIT License.

using Allocators.Os;
using Allocators.Strategies.Buddy;

namespace Allocators.Strategies.Tests.Buddy;

public sealed class BuddyRegionPlacementTests
{
    [Fact]
    public void AddRegion_AfterTheFirst_MapsOneRegionRightBelowTheLowest()
    {
        using var os = new SimulatedOs();
        var buddy = new BuddyAllocator(os, new BuddyAllocatorOptions { MinOrder = 5, MaxOrder = 16, KeepEmptyRegions = 1 });
        ulong first = buddy.Allocate(1UL << 16);
        OsStatistics before = os.GetStatistics();
        ulong second = buddy.Allocate(1UL << 16);
        ulong third = buddy.Allocate(1UL << 16);
        OsStatistics after = os.GetStatistics();

        Assert.Equal(first - (1UL << 16), second);
        Assert.Equal(second - (1UL << 16), third);
        Assert.Equal(before.Mmap + 2, after.Mmap);
        Assert.Equal(before.Munmap, after.Munmap);
        Assert.Equal(0UL, third & ((1UL << 16) - 1));
        Assert.True(buddy.CheckHeap(HeapCheckLevel.Full).Succeeded);
    }

    [Fact]
    public void AddRegion_BelowTheLowestTaken_FallsBackToAnAlignedMapping()
    {
        using var os = new SimulatedOs();
        var buddy = new BuddyAllocator(os, new BuddyAllocatorOptions { MinOrder = 5, MaxOrder = 16, KeepEmptyRegions = 1 });
        ulong first = buddy.Allocate(1UL << 16);

        // Something else sits just below the region (half of it, so the hint is taken but not aligned if moved).
        Assert.True(os.Mmap(first - (1UL << 15), 1UL << 15, Protection.ReadWrite, MapFlags.PrivateAnonymous | MapFlags.Fixed).Succeeded);
        ulong second = buddy.Allocate(1UL << 16);

        Assert.NotEqual(0UL, second);
        Assert.Equal(0UL, second & ((1UL << 16) - 1));
        Assert.True(second + (1UL << 16) <= first - (1UL << 15) || second >= first + (1UL << 16));
        Assert.True(buddy.CheckHeap(HeapCheckLevel.Full).Succeeded);
        buddy.Free(second);
        buddy.Free(first);
        Assert.True(buddy.CheckHeap(HeapCheckLevel.Full).Succeeded);
    }

    [Fact]
    public void AddRegion_MmapRefusedForTheNextRegion_ReturnsNullWithoutASecondTry()
    {
        using var os = new SimulatedOs();
        var buddy = new BuddyAllocator(os, new BuddyAllocatorOptions { MinOrder = 5, MaxOrder = 16, KeepEmptyRegions = 1 });
        Assert.NotEqual(0UL, buddy.Allocate(1UL << 16));
        long mmaps = os.GetStatistics().Mmap;
        os.Faults.FailNextMmap();

        Assert.Equal(0UL, buddy.Allocate(1UL << 16));
        Assert.Equal(mmaps + 1, os.GetStatistics().Mmap);
        Assert.NotEqual(0UL, buddy.Allocate(1UL << 16));
    }
}
