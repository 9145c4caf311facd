// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Testing;

/// <summary>A named way to build one strategy over a simulated OS.</summary>
/// <param name="Name">The fixture name shown in test names (the strategy name, or name/variant).</param>
/// <param name="Factory">Builds the allocator over the given OS.</param>
/// <param name="MaxBlockBytesForProperties">The largest request the model-based properties make of it.</param>
/// <param name="DoubleFreeOfUnmappedBlockMayFault">
/// True when a second free of a block whose memory went back to the OS may raise <see cref="SegmentationFaultException"/>
/// instead of a clear error (glibc reads the header of an unmapped mmapped chunk, as the real one does).
/// </param>
public sealed record StrategyFixture(string Name, Func<ISimulatedOs, IAllocator> Factory, ulong MaxBlockBytesForProperties = 1 << 20, bool DoubleFreeOfUnmappedBlockMayFault = false)
{
    /// <inheritdoc />
    public override string ToString() => Name;
}
