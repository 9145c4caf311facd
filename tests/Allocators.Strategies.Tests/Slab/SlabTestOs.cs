// Copyright (c) Allocators contributors. MIT License.

using Allocators.Os;
using Allocators.Strategies.Slab;

namespace Allocators.Strategies.Tests.Slab;

/// <summary>A fresh simulated process with a slab allocator on it; disposing releases the host memory.</summary>
internal sealed class SlabTestOs : IDisposable
{
    public SlabTestOs(SlabAllocatorOptions? options = null, SimulatedOsOptions? osOptions = null)
    {
        Os = new SimulatedOs(osOptions);
        Allocator = new SlabAllocator(Os, options);
        BaselineVsz = Os.GetStatistics().VszBytes;
    }

    public SimulatedOs Os { get; }

    public SlabAllocator Allocator { get; }

    public ulong BaselineVsz { get; }

    public static SlabTestOs Create(int magazineSize = 0, int emptySlabs = 1, bool colouring = true, HeapCheckLevel check = HeapCheckLevel.Full)
        => new(new SlabAllocatorOptions { MagazineSize = magazineSize, EmptySlabsPerCache = emptySlabs, Colouring = colouring, CheckLevel = check });

    public void AssertConsistent()
    {
        HeapCheckResult result = Allocator.CheckHeap(HeapCheckLevel.Full);
        Assert.True(result.Succeeded, result.ToString());
    }

    public void Dispose() => Os.Dispose();
}
