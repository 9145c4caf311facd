// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Strategies.Tests.Slab;

/// <summary>Thread exit: a thread's magazines go back to the slab layer, and its id starts fresh afterwards.</summary>
public sealed class SlabThreadExitTests
{
    [Fact]
    public void ThreadExit_MagazineObjectsGoBackToTheirSlabs()
    {
        using var t = SlabTestOs.Create(magazineSize: 4);
        ulong kept;
        using (SimulatedThread.Enter(1))
        {
            kept = t.Allocator.Allocate(64);
            ulong a = t.Allocator.Allocate(64);
            t.Allocator.Free(a);
        }

        int CachedIn64() => (int)t.Allocator.GetSlabInfo().Single(i => i.Name == "kmalloc-64").CachedObjects;
        Assert.True(CachedIn64() > 0);

        t.Allocator.ThreadExit(1);

        Assert.Equal(0, CachedIn64());
        Assert.DoesNotContain(t.Allocator.WalkHeap(), blk => blk.Kind == HeapBlockKind.Cached);
        t.AssertConsistent();

        // The object the thread left allocated is still live; freeing it from another thread works.
        t.Allocator.Free(kept);
        t.Allocator.Reap();
        Assert.Equal(0UL, t.Allocator.GetStatistics().Os.RssBytes);
        t.AssertConsistent();
    }

    [Fact]
    public void ThreadExit_UnknownThread_IsANoOp_AndTheIdStartsFresh()
    {
        using var t = SlabTestOs.Create(magazineSize: 4);
        t.Allocator.ThreadExit(9);
        using (SimulatedThread.Enter(9))
        {
            ulong a = t.Allocator.Allocate(32);
            t.Allocator.Free(a);
        }

        t.Allocator.ThreadExit(9);
        using (SimulatedThread.Enter(9))
        {
            t.Allocator.Free(t.Allocator.Allocate(32));
        }

        t.AssertConsistent();
    }
}
