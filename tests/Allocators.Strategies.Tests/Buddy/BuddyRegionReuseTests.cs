// Copyright (c) Allocators contributors. MIT License.

using Allocators.Os;
using Allocators.Strategies.Buddy;

namespace Allocators.Strategies.Tests.Buddy;

/// <summary>Regions given back to the OS and made again (their out-of-band maps recycled) start clean.</summary>
public sealed class BuddyRegionReuseTests
{
    [Fact]
    public void Allocate_AfterEveryRegionWentBack_ReusedMapsStartClean()
    {
        using var os = new SimulatedOs();
        var buddy = new BuddyAllocator(os, new BuddyAllocatorOptions { MaxOrder = 16, KeepEmptyRegions = 0 });
        var first = new List<ulong>();
        for (int i = 0; i < 64; i++)
        {
            ulong p = buddy.Allocate((ulong)(1000 + (i * 700)));
            os.Fill(p, 1000, 0xee);
            first.Add(p);
        }

        Assert.True(buddy.RegionCount > 1);
        foreach (ulong p in first)
        {
            buddy.Free(p);
        }

        Assert.Equal(0, buddy.RegionCount);
        Assert.True(buddy.CheckHeap(HeapCheckLevel.Full).Succeeded);

        for (int i = 0; i < 64; i++)
        {
            ulong size = (ulong)(24 + (i * 333));
            ulong p = buddy.AllocateZeroed(1, size);
            Assert.NotEqual(0UL, p);
            Assert.True(buddy.UsableSize(p) >= size);
            var bytes = new byte[size];
            os.Read(p, bytes);
            Assert.All(bytes, b => Assert.Equal(0, b));
        }

        HeapCheckResult check = buddy.CheckHeap(HeapCheckLevel.Full);
        Assert.True(check.Succeeded, check.ToString());
        Assert.Equal(64, buddy.GetStatistics().LiveBlocks);
    }

    [Fact]
    public void Free_RefillAfterTheKeepPolicyGaveRegionsBack_KeepsMoreEmptyRegionsFromThenOn()
    {
        using var os = new SimulatedOs();
        var buddy = new BuddyAllocator(os, new BuddyAllocatorOptions { MinOrder = 5, MaxOrder = 12, KeepEmptyRegions = 1 });
        ulong[] Fill() => [buddy.Allocate(4096), buddy.Allocate(4096), buddy.Allocate(4096)];
        void FreeAll(ulong[] blocks)
        {
            foreach (ulong p in blocks)
            {
                buddy.Free(p);
            }
        }

        FreeAll(Fill());
        Assert.Equal(1, buddy.RegionCount);
        Assert.Equal(1, buddy.KeptEmptyRegionLimit);
        long mmapsBefore = os.GetStatistics().Mmap;

        // Two regions had to be mapped again: that was thrash, so from now on three empty regions are kept.
        FreeAll(Fill());
        Assert.Equal(3, buddy.KeptEmptyRegionLimit);
        Assert.Equal(3, buddy.RegionCount);
        long mmapsAfterSecondRound = os.GetStatistics().Mmap;
        Assert.True(mmapsAfterSecondRound > mmapsBefore);

        FreeAll(Fill());
        Assert.Equal(mmapsAfterSecondRound, os.GetStatistics().Mmap);
        Assert.True(buddy.CheckHeap(HeapCheckLevel.Full).Succeeded);

        // Trim still gives every empty region back, and its releases do not raise the limit.
        Assert.True(buddy.Trim(0));
        Assert.Equal(0, buddy.RegionCount);
        FreeAll(Fill());
        Assert.Equal(3, buddy.KeptEmptyRegionLimit);
    }

    [Fact]
    public void Free_KeepZero_NeverAdaptsAndHoldsNoMemoryWhenEmpty()
    {
        using var os = new SimulatedOs();
        var buddy = new BuddyAllocator(os, new BuddyAllocatorOptions { MinOrder = 5, MaxOrder = 12, KeepEmptyRegions = 0 });
        for (int round = 0; round < 3; round++)
        {
            ulong[] blocks = [buddy.Allocate(4096), buddy.Allocate(4096), buddy.Allocate(100)];
            foreach (ulong p in blocks)
            {
                buddy.Free(p);
            }

            Assert.Equal(0, buddy.RegionCount);
            Assert.Equal(0, buddy.KeptEmptyRegionLimit);
        }

        Assert.Equal(0UL, buddy.GetStatistics().HeldBytes);
    }
}
