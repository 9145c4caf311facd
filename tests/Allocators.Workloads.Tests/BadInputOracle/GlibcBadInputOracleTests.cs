// Copyright (c) Allocators contributors. MIT License.

using Allocators.Workloads.Oracle;
using Allocators.Workloads.Tests.Oracle;

namespace Allocators.Workloads.Tests.BadInputOracle;

/// <summary>
/// glibc's row of docs/bad-input.md against the real glibc: the simulation stops at the same operation with the same
/// message (or completes with the same results), and the oracle comparison with the real glibc 2.36 matches
/// (skipped with the reason when no C compiler is available).
/// </summary>
[Trait("Category", "BadInput")]
[Trait("Category", "Differential")]
public sealed class GlibcBadInputOracleTests
{
    [Theory]
    [MemberData(nameof(BadInputScripts.Names), MemberType = typeof(BadInputScripts))]
    public void Simulated_BadInputScript_StopsOrCompletesAsGlibcDoes(string name)
    {
        var (text, stop, _) = BadInputScripts.Get(name);

        var result = SimulatedOracle.Run(OracleScript.Parse(text));

        AssertOutcome(result, stop);
    }

    [Theory]
    [MemberData(nameof(BadInputScripts.Names), MemberType = typeof(BadInputScripts))]
    public void SimulatedNoCache_BadInputScript_StopsWithTheCheckedFixturesMessage(string name)
    {
        var (text, _, noCacheStop) = BadInputScripts.Get(name);

        var result = SimulatedOracle.Run(OracleScript.Parse(text), BadInputScripts.NoCache);

        AssertOutcome(result, noCacheStop);
    }

    [OracleTheory]
    [MemberData(nameof(BadInputScripts.Names), MemberType = typeof(BadInputScripts))]
    public void Real_BadInputScript_SimulationMatchesRealGlibc(string name)
    {
        var (text, stop, _) = BadInputScripts.Get(name);

        AssertOutcome(OracleRunner.Real(text, BadInputScripts.FixedLayout), stop);
        Oracle.Differential.AssertSame(text, BadInputScripts.FixedLayout);
    }

    [OracleTheory]
    [MemberData(nameof(BadInputScripts.Names), MemberType = typeof(BadInputScripts))]
    public void RealNoCache_BadInputScript_SimulationMatchesRealGlibc(string name)
    {
        var (text, _, noCacheStop) = BadInputScripts.Get(name);

        AssertOutcome(OracleRunner.Real(text, BadInputScripts.NoCacheFixedLayout), noCacheStop);
        Oracle.Differential.AssertSame(text, BadInputScripts.NoCacheFixedLayout);
    }

    private static void AssertOutcome(OracleResult result, ExpectedStop? stop)
    {
        if (stop is not { } expected)
        {
            Assert.True(result.Completed, result.ToString());
            return;
        }

        Assert.False(result.Completed, $"expected a stop at operation {expected.Operation}:\n{result}");
        Assert.Equal(expected.Operation, result.StoppedAtOperation);
        Assert.Equal(expected.Signal, result.Signal);
        Assert.Equal(expected.Message, result.AbortMessage);
    }
}
