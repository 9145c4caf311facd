// Copyright (c) Allocators contributors. MIT License.

using Allocators.Os;
using Allocators.Strategies.Buddy;

namespace Allocators.Strategies.Tests.Buddy;

/// <summary>
/// The inlined cache-hit paths of malloc and free against the general path: with <see cref="HeapCheckLevel.Full"/> every call
/// takes the general path (and runs the checker), with <see cref="HeapCheckLevel.None"/> the hits take the fast paths, so the
/// two must hand out the same addresses, fail the same way and end with the same statistics.
/// </summary>
public sealed class BuddyFastPathTests
{
    private static BuddyAllocatorOptions Options(HeapCheckLevel level) => new() { MinOrder = 5, MaxOrder = 14, PerOrderCacheBlocks = 4, CheckLevel = level };

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void RandomCalls_FastPathsAgainstGeneralPath_SameAddressesErrorsAndStatistics(int seed)
    {
        using var fastOs = new SimulatedOs();
        using var checkedOs = new SimulatedOs();
        var fast = new BuddyAllocator(fastOs, Options(HeapCheckLevel.None));
        var general = new BuddyAllocator(checkedOs, Options(HeapCheckLevel.Full));
        var random = new Random(seed);
        var live = new List<ulong>();
        var freed = new List<ulong>();
        for (int step = 0; step < 3000; step++)
        {
            int action = random.Next(100);
            if (action < 50 || live.Count == 0)
            {
                // Mostly powers of two and small sizes, some above a region (16 KiB), some zero.
                ulong size = random.Next(10) switch
                {
                    0 => 0,
                    1 => (ulong)random.Next(16 << 10, 40 << 10),
                    < 6 => 1UL << random.Next(0, 14),
                    _ => (ulong)random.Next(1, 3000),
                };
                ulong a = fast.Allocate(size);
                Assert.Equal(general.Allocate(size), a);
                if (a != 0)
                {
                    live.Add(a);
                }
            }
            else if (action < 92)
            {
                int index = random.Next(live.Count);
                ulong a = live[index];
                live.RemoveAt(index);
                fast.Free(a);
                general.Free(a);
                freed.Add(a);
            }
            else if (action < 96 && freed.Count > 0)
            {
                // A double free (of a cached, listed or unmapped block), unless the address was handed out again.
                ulong a = freed[random.Next(freed.Count)];
                if (!live.Contains(a))
                {
                    Exception first = Assert.ThrowsAny<Exception>(() => fast.Free(a));
                    Exception second = Assert.ThrowsAny<Exception>(() => general.Free(a));
                    Assert.Equal(second.GetType(), first.GetType());
                    Assert.Equal(second.Message, first.Message);
                }
            }
            else
            {
                // Not the start of a block: inside a live block.
                ulong a = live[random.Next(live.Count)] + 32;
                if (!live.Contains(a))
                {
                    Exception first = Assert.ThrowsAny<Exception>(() => fast.Free(a));
                    Exception second = Assert.ThrowsAny<Exception>(() => general.Free(a));
                    Assert.Equal(second.GetType(), first.GetType());
                    Assert.Equal(second.Message, first.Message);
                }
            }
        }

        Assert.Equal(general.GetStatistics() with { Os = default }, fast.GetStatistics() with { Os = default });
        Assert.Equal(general.GetBuddyInfo(), fast.GetBuddyInfo());
        HeapCheckResult check = fast.CheckHeap(HeapCheckLevel.Full);
        Assert.True(check.Succeeded, check.ToString());
    }

    [Fact]
    public void Allocate_CachedBlockWrittenAfterFree_FastPathReportsTheBlockAndStaysConsistent()
    {
        using var os = new SimulatedOs();
        var buddy = new BuddyAllocator(os, Options(HeapCheckLevel.None));
        ulong keep = buddy.Allocate(64);
        ulong a = buddy.Allocate(64);
        buddy.Free(a);
        Assert.Equal(1, buddy.GetCachedBlockCount(6));

        os.WriteUInt64(a, 0x4141_4141_4141_4141);
        var error = Assert.Throws<HeapCorruptionException>(() => buddy.Allocate(64));
        Assert.Contains($"0x{a:x}", error.Message, StringComparison.Ordinal);
        Assert.Contains("corrupted per-order cache", error.Message, StringComparison.Ordinal);
        HeapCheckResult check = buddy.CheckHeap(HeapCheckLevel.Full);
        Assert.True(check.Succeeded, check.ToString());

        // The block stayed cached with its check word stamped again: the next malloc takes it.
        Assert.Equal(a, buddy.Allocate(64));
        buddy.Free(a);
        buddy.Free(keep);
    }
}
