// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Testing;

/// <summary>A named way to build one strategy over a simulated OS.</summary>
/// <param name="Name">The fixture name shown in test names (the strategy name, or name/variant).</param>
/// <param name="Factory">Builds the allocator over the given OS.</param>
/// <param name="MaxBlockBytesForProperties">The largest request the model-based properties make of it.</param>
public sealed record StrategyFixture(string Name, Func<ISimulatedOs, IAllocator> Factory, ulong MaxBlockBytesForProperties = 1 << 20)
{
    /// <inheritdoc />
    public override string ToString() => Name;
}
