// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads.Tests.Oracle;

/// <summary>Each corruption script makes the real glibc abort with its documented message at the expected operation.</summary>
[Trait("Category", "BadInput")]
public sealed class GlibcOracleIntegrityTests
{
    [OracleTheory]
    [MemberData(nameof(IntegrityCases.All), MemberType = typeof(IntegrityCases))]
    public void Run_CorruptingScript_RealGlibcAbortsWithMessage(string name)
    {
        var (script, operation, message) = IntegrityCases.Get(name);

        var r = OracleRunner.Real(script);

        Assert.False(r.Completed, $"{name} did not abort:\n{r}");
        Assert.Equal(6, r.Signal);
        Assert.Equal(operation, r.StoppedAtOperation);
        Assert.Equal(message, r.AbortMessage);
        Assert.Equal(operation, r.Steps.Count);
    }
}
