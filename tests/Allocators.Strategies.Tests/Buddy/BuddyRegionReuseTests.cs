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
}
