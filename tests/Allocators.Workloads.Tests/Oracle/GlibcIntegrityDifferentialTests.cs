// Copyright (c) Allocators contributors. MIT License.

using Allocators.Workloads.Oracle;

namespace Allocators.Workloads.Tests.Oracle;

/// <summary>
/// Each corruption script: the real glibc aborts with message X at operation k, and the simulation throws
/// <see cref="HeapCorruptionException"/> with <c>Check == X</c> at the same operation, with identical results before it.
/// </summary>
[Trait("Category", "Differential")]
[Trait("Category", "BadInput")]
public sealed class GlibcIntegrityDifferentialTests
{
    [Theory]
    [MemberData(nameof(IntegrityCases.All), MemberType = typeof(IntegrityCases))]
    public void Run_CorruptingScript_SimulationThrowsGlibcMessageAtSameOperation(string name)
    {
        var (text, operation, message) = IntegrityCases.Get(name);

        var simulated = SimulatedOracle.Run(OracleScript.Parse(text));

        Assert.False(simulated.Completed, $"{name} did not stop:\n{simulated}");
        Assert.Equal(operation, simulated.StoppedAtOperation);
        Assert.Equal(6, simulated.Signal);
        Assert.Equal(message, simulated.AbortMessage);
    }

    [OracleTheory]
    [MemberData(nameof(IntegrityCases.All), MemberType = typeof(IntegrityCases))]
    public void Compare_CorruptingScript_SimulationMatchesRealGlibc(string name)
    {
        var (text, _, _) = IntegrityCases.Get(name);

        Differential.AssertSame(text);
    }
}
