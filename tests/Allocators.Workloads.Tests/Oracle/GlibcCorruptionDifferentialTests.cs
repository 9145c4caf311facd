// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads.Tests.Oracle;

/// <summary>
/// Random sequences with random bit flips in chunk headers and links of live or freed blocks (a buggy program's
/// overflow, underflow or write after free): the simulation must fail at the same operation with the same glibc
/// message as the real glibc, or go on with the same results when glibc does not notice.
/// </summary>
[Trait("Category", "Differential")]
[Trait("Category", "BadInput")]
public sealed class GlibcCorruptionDifferentialTests
{
    [OracleFact]
    public void RandomSequencesWithBitFlips_MatchRealGlibc()
        => Differential.CheckRandom(new OracleScriptGenerators.Settings { Corrupt = true, Large = false, MaxLength = 80 }, 150);
}
