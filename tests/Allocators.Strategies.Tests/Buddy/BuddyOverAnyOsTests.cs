// Copyright (c) Allocators contributors. MIT License.

using System.Reflection;
using Allocators.Os;
using Allocators.Strategies.Buddy;

namespace Allocators.Strategies.Tests.Buddy;

/// <summary>
/// The buddy allocator over an <see cref="ISimulatedOs"/> that is not the sealed <see cref="SimulatedOs"/> (its free-list
/// words then go through the interface): the same behaviour, checks and error reports.
/// </summary>
public sealed class BuddyOverAnyOsTests
{
    [Fact]
    public void Churn_ThroughAnInterfaceOnlyOs_KeepsEveryInvariant()
    {
        using var os = new SimulatedOs();
        ISimulatedOs forwarded = ForwardingOs.Over(os);
        Assert.IsNotType<SimulatedOs>(forwarded);
        var buddy = new BuddyAllocator(forwarded, new BuddyAllocatorOptions { MinOrder = 5, MaxOrder = 14 });
        var random = new Random(7);
        var live = new List<ulong>();
        for (int step = 0; step < 3000; step++)
        {
            if (live.Count > 0 && random.Next(3) == 0)
            {
                int victim = random.Next(live.Count);
                buddy.Free(live[victim]);
                live.RemoveAt(victim);
            }
            else
            {
                ulong p = buddy.Allocate((ulong)random.Next(1, 5000));
                Assert.NotEqual(0UL, p);
                live.Add(p);
            }
        }

        HeapCheckResult check = buddy.CheckHeap(HeapCheckLevel.Full);
        Assert.True(check.Succeeded, check.ToString());
        foreach (ulong p in live)
        {
            buddy.Free(p);
        }

        Assert.Equal(0, buddy.GetStatistics().LiveBlocks);
        Assert.Equal((long)buddy.RegionCount, buddy.GetFreeBlockCount(14));
    }

    [Fact]
    public void Free_ThroughAnInterfaceOnlyOs_StillReportsACorruptedNode()
    {
        using var os = new SimulatedOs();
        var buddy = new BuddyAllocator(ForwardingOs.Over(os), new BuddyAllocatorOptions { MinOrder = 5, MaxOrder = 12 });
        ulong a = buddy.Allocate(32);
        ulong b = buddy.Allocate(32);
        buddy.Free(b);
        os.WriteUInt64(b + BuddyAllocator.NextOffset, 0x4141_4141_4141_4141);
        HeapCorruptionException error = Assert.Throws<HeapCorruptionException>(() => buddy.Free(a));
        Assert.Equal(b, error.Address);
        Assert.True(buddy.CheckHeap(HeapCheckLevel.Full).Succeeded);
        buddy.Free(a);
    }

    /// <summary>Forwards every <see cref="ISimulatedOs"/> member to a real process through reflection.</summary>
    public class ForwardingOs : DispatchProxy
    {
        private ISimulatedOs? _target;

        public static ISimulatedOs Over(ISimulatedOs target)
        {
            ISimulatedOs proxy = Create<ISimulatedOs, ForwardingOs>();
            ((ForwardingOs)(object)proxy)._target = target;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            try
            {
                return targetMethod!.Invoke(_target, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                throw e.InnerException;
            }
        }
    }
}
