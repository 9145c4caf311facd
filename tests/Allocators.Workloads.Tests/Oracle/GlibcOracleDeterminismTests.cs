// Copyright (c) Allocators contributors. MIT License.

using Allocators.Workloads.Oracle;
using FsCheck;
using FsCheck.Fluent;

namespace Allocators.Workloads.Tests.Oracle;

/// <summary>
/// The oracle's results are offsets, so two runs of one script in two processes (with different randomized
/// break and mapping addresses) must agree exactly; the comparer must see that, and must see a real difference.
/// </summary>
[Trait("Category", "Differential")]
public sealed class GlibcOracleDeterminismTests
{
    [OracleFact]
    public void Run_SameRandomScriptTwice_ResultsAreIdentical()
    {
        var property = Prop.ForAll(OracleScriptGenerators.Scripts(new OracleScriptGenerators.Settings()).ToArbitrary(), (OracleScript script) =>
        {
            var first = GlibcOracle.Default.Run(script);
            var second = GlibcOracle.Default.Run(script);
            var comparison = OracleComparer.Compare(script, first, second);
            return comparison.IsMatch.Label(comparison.Description + "\n" + script);
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(40), property);
    }

    [OracleFact]
    public void Compare_DifferentScripts_ReportsFirstMismatchWithContext()
    {
        var a = OracleScript.Parse("malloc 24\nmalloc 24\nmalloc 100\n");
        var b = OracleScript.Parse("malloc 24\nmalloc 24\nmalloc 200\n");

        var comparison = OracleComparer.Compare(a, GlibcOracle.Default.Run(a), GlibcOracle.Default.Run(b));

        Assert.False(comparison.IsMatch);
        Assert.Equal(2, comparison.MismatchOperation);
        Assert.Contains("size word: expected 0x71, actual 0xd1", comparison.Description);
        Assert.Contains("malloc 100", comparison.Description);
    }

    [OracleFact]
    public void Compare_AbortAgainstCompletion_ReportsTheStop()
    {
        var bad = OracleScript.Parse("malloc 24\nfree 0\nfree 0\n");
        var good = OracleScript.Parse("malloc 24\nfree 0\nmalloc 24\n");

        var comparison = OracleComparer.Compare(bad, GlibcOracle.Default.Run(bad), GlibcOracle.Default.Run(good));

        Assert.False(comparison.IsMatch);
        Assert.Equal(2, comparison.MismatchOperation);
        Assert.Contains("free(): double free detected in tcache 2", comparison.Description);
    }

    [OracleFact]
    public void Default_AfterBuild_ReportsVersionAndCachedExecutable()
    {
        var oracle = GlibcOracle.Default;
        var script = new OracleScript([OracleOperation.Malloc(1), OracleOperation.Poke(0, 0, 8, 1)]);

        var result = oracle.Run(script);

        Assert.True(result.Completed);
        Assert.Equal("2.36", oracle.GlibcVersion);
        Assert.True(File.Exists(oracle.ExecutablePath));
    }
}
