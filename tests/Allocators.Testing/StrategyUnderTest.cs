// Copyright (c) Allocators contributors. MIT License.

using Allocators.Os;

namespace Allocators.Testing;

/// <summary>A fresh simulated process plus one allocator over it; disposing it disposes the process.</summary>
public sealed class StrategyUnderTest : IDisposable
{
    internal StrategyUnderTest(StrategyFixture fixture, SimulatedOs os)
    {
        Fixture = fixture;
        Os = os;
        Allocator = fixture.Factory(os);
    }

    /// <summary>Gets the fixture it was built from.</summary>
    public StrategyFixture Fixture { get; }

    /// <summary>Gets the simulated process.</summary>
    public SimulatedOs Os { get; }

    /// <summary>Gets the allocator.</summary>
    public IAllocator Allocator { get; }

    /// <inheritdoc />
    public void Dispose() => Os.Dispose();
}
