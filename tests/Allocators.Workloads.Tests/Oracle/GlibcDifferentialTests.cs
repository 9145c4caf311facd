// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads.Tests.Oracle;

/// <summary>
/// Random operation sequences on the real glibc and on the simulated glibc, compared offset by offset, size word
/// by size word and break by break. 1,000 sequences per CI run in total (ALLOCATORS_PROPERTY_SCALE multiplies).
/// </summary>
[Trait("Category", "Differential")]
public sealed class GlibcDifferentialTests
{
    [OracleFact]
    public void RandomSequences_AllOperations_MatchRealGlibc()
        => Differential.CheckRandom(new OracleScriptGenerators.Settings(), 400);

    [OracleFact]
    public void RandomSequences_SmallSizesNoMallopt_MatchRealGlibc()
        => Differential.CheckRandom(new OracleScriptGenerators.Settings { Large = false, Mallopt = false, MaxLength = 120 }, 250);

    [OracleFact]
    public void RandomSequences_Long_MatchRealGlibc()
        => Differential.CheckRandom(new OracleScriptGenerators.Settings { MinLength = 150, MaxLength = 400 }, 100);

    [OracleFact]
    public void RandomSequences_MallocFreeOnly_MatchRealGlibc()
        => Differential.CheckRandom(new OracleScriptGenerators.Settings { Mallopt = false, Trim = false, Memalign = false, Realloc = false, MaxLength = 100 }, 150);

    [OracleFact]
    public void RandomSequences_VeryLongWithForeignSbrk_MatchRealGlibc()
        => Differential.CheckRandom(new OracleScriptGenerators.Settings { MinLength = 1000, MaxLength = 3000, Sbrk = true }, 15);

    [OracleFact]
    public void RandomSequences_ForeignSbrk_MatchRealGlibc()
        => Differential.CheckRandom(new OracleScriptGenerators.Settings { Sbrk = true, MaxLength = 80 }, 100);

    [OracleFact]
    public void RandomSequences_BreakBlockedMmapFallback_MatchRealGlibc()
        => Differential.CheckRandom(new OracleScriptGenerators.Settings { Block = true, Sbrk = true, MaxLength = 80 }, 100);

    [OracleTheory]
    [InlineData("GLIBC_TUNABLES", "glibc.malloc.tcache_count=0")]
    [InlineData("GLIBC_TUNABLES", "glibc.malloc.tcache_count=2:glibc.malloc.tcache_max=200")]
    [InlineData("GLIBC_TUNABLES", "glibc.malloc.mxfast=0")]
    [InlineData("GLIBC_TUNABLES", "glibc.malloc.mxfast=160:glibc.malloc.mmap_threshold=65536")]
    [InlineData("MALLOC_TOP_PAD_", "0")]
    [InlineData("MALLOC_TRIM_THRESHOLD_", "4096")]
    [InlineData("MALLOC_MMAP_MAX_", "0")]
    [InlineData("GLIBC_TUNABLES", "glibc.malloc.tcache_unsorted_limit=2:glibc.malloc.perturb=165")]
    [InlineData("GLIBC_TUNABLES", "glibc.malloc.tcache_max=0:glibc.malloc.tcache_count=65535")]
    [InlineData("MALLOC_TOP_PAD_", "1")]
    public void RandomSequences_WithTunable_MatchRealGlibc(string variable, string value)
        => Differential.CheckRandom(new OracleScriptGenerators.Settings(), 15, new Dictionary<string, string> { [variable] = value });
}
