// Copyright (c) Allocators contributors. MIT License.

using Allocators.Workloads.Oracle;
using FsCheck;
using FsCheck.Fluent;

namespace Allocators.Workloads.Tests.Oracle;

/// <summary>Runs scripts on the real glibc and on the simulation and compares them.</summary>
internal static class Differential
{
    private static readonly Lazy<GlibcOracle> s_fuzzOracle = new(() =>
    {
        var oracle = GlibcOracle.Build();
        oracle.Timeout = TimeSpan.FromSeconds(5);
        return oracle;
    });

    /// <summary>Gets an oracle with a short timeout for the random scripts.</summary>
    private static GlibcOracle FuzzOracle => s_fuzzOracle.Value;

    /// <summary>Gets the multiplier of the CI-bounded run sizes (ALLOCATORS_PROPERTY_SCALE, default 1).</summary>
    public static int Scale
    {
        get
        {
            var text = Environment.GetEnvironmentVariable("ALLOCATORS_PROPERTY_SCALE");
            return int.TryParse(text, out var scale) && scale > 0 ? scale : 1;
        }
    }

    public static OracleComparison Compare(OracleScript script, IReadOnlyDictionary<string, string>? environment = null)
    {
        var real = GlibcOracle.Default.Run(script, environment);
        var simulated = SimulatedOracle.Run(script, environment, real.InitialBreak);
        return OracleComparer.Compare(script, real, simulated);
    }

    public static void AssertSame(string scriptText, IReadOnlyDictionary<string, string>? environment = null)
    {
        var script = OracleScript.Parse(scriptText);
        var comparison = Compare(script, environment);
        Assert.True(comparison.IsMatch, comparison.Description + "\nScript:\n" + script);
    }

    /// <summary>
    /// Runs the real glibc up to 15 more times; true when any run differs from <paramref name="first"/>. Outcomes that
    /// hang on one bit of the random tcache_key differ half the time: 5 reruns let 1 in 32 of them through as a
    /// mismatch (seen in CI), 15 reruns 1 in 32,768.
    /// </summary>
    public static bool RealIsNondeterministic(OracleScript script, OracleResult first, IReadOnlyDictionary<string, string>? environment)
    {
        for (var i = 0; i < 15; i++)
        {
            if (!OracleComparer.Compare(script, first, FuzzOracle.Run(script, environment)).IsMatch)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Checks <paramref name="count"/> random plans; a mismatch shrinks to a minimal script, printed in the failure.</summary>
    public static void CheckRandom(OracleScriptGenerators.Settings settings, int count, IReadOnlyDictionary<string, string>? environment = null)
    {
        var arbitrary = Arb.From(OracleScriptGenerators.Plans(settings), OracleScriptGenerators.Shrink);
        var property = Prop.ForAll(arbitrary, (OracleScriptGenerators.PlanStep[] plan) =>
        {
            var script = OracleScriptGenerators.Materialize(plan);
            OracleResult real;
            try
            {
                real = FuzzOracle.Run(script, environment);
            }
            catch (TimeoutException)
            {
                // glibc loops forever on this corruption (a cyclic free list); an exact simulation would too, so it is not run.
                return true.Label("inconclusive: the real glibc does not terminate on this script");
            }

            var comparison = OracleComparer.Compare(script, real, SimulatedOracle.Run(script, environment, real.InitialBreak));
            if (!comparison.IsMatch && RealIsNondeterministic(script, real, environment))
            {
                // The real outcome itself varies from run to run (it depends on glibc's random tcache_key or on
                // mapping addresses), so no deterministic simulation can be held to one run of it.
                return true.Label("inconclusive: the real glibc is nondeterministic on this script");
            }

            return comparison.IsMatch.Label(comparison.Description + "\nMinimal script:\n" + script);
        });
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(count * Scale)
            .WithParallelRunConfig(new ParallelRunConfig(Math.Max(1, Environment.ProcessorCount)));
        Check.One(config, property);
    }
}
