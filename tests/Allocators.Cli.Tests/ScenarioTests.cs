// Copyright (c) Allocators contributors. MIT License.

using System.Text.Json;
using Allocators.Os;
using Allocators.Workloads.Oracle;
using Allocators.Workloads.Scenarios;

namespace Allocators.Cli.Tests;

/// <summary>The seed's claims: the command's shape, the pinned numbers on the simulation and on the real glibc.</summary>
public sealed class ScenarioTests : IClassFixture<ScenarioTests.AllScenarios>
{
    private static readonly string[] s_names =
    [
        "brk-below-threshold", "mmap-above-threshold", "virtual-until-touched", "pool-132k", "free-keeps-brk",
        "free-unmaps-mmap", "hole-reuse-10-20-30", "fragmentation-pins-heap", "trim-top", "dynamic-threshold",
    ];

    private readonly AllScenarios _all;

    public ScenarioTests(AllScenarios all) => _all = all;

    [Fact]
    public void Scenarios_Json_HasTheTenNamedScenariosWithTheContractFields()
    {
        Assert.True(_all.Run.ExitCode == 0, _all.Run.ToString());
        var items = _all.Json.EnumerateArray().ToArray();
        Assert.Equal(s_names, items.Select(i => i.GetProperty("name").GetString()));
        foreach (var item in items)
        {
            Assert.False(string.IsNullOrWhiteSpace(item.GetProperty("claim").GetString()));
            Assert.Equal(JsonValueKind.True, item.GetProperty("holds").ValueKind);
            Assert.Contains(item.GetProperty("holdsOnRealGlibc").ValueKind, new[] { JsonValueKind.True, JsonValueKind.False, JsonValueKind.Null });
            Assert.Equal(JsonValueKind.Object, item.GetProperty("numbers").GetProperty("simulation").ValueKind);
            if (item.GetProperty("holdsOnRealGlibc").ValueKind == JsonValueKind.Null)
            {
                Assert.False(string.IsNullOrWhiteSpace(item.GetProperty("reason").GetString()));
            }
        }
    }

    [Theory]
    [InlineData("pool-132k", "firstBreakOffset", 0x21000UL)]
    [InlineData("pool-132k", "smallMallocsWithoutSyscall", 1200UL)]
    [InlineData("brk-below-threshold", "firstBreakOffset", 0x21000UL)]
    [InlineData("brk-below-threshold", "breakOffsetAfterThird", 0x5c000UL)]
    [InlineData("mmap-above-threshold", "startup128KiBMmaps", 0UL)]
    [InlineData("mmap-above-threshold", "smallestFirstRequestThatMmaps", 134473UL)]
    [InlineData("mmap-above-threshold", "topBytesAfterMalloc1", 0x20d50UL)]
    [InlineData("mmap-above-threshold", "smallestRequestThatMmapsWhenTopUsedUp", 131049UL)]
    [InlineData("mmap-above-threshold", "chunkBytesOfThatRequest", 0x20000UL)]
    [InlineData("trim-top", "breakOffsetBeforeFree", 0x5b000UL)]
    [InlineData("trim-top", "breakOffsetAfterFree", 0x3e000UL)]
    [InlineData("trim-top", "topBytesKept", 0x20880UL)]
    [InlineData("free-keeps-brk", "smallBlockReuseOffset", 0x2a0UL)]
    [InlineData("free-unmaps-mmap", "vszDrop", 0x101000UL)]
    [InlineData("hole-reuse-10-20-30", "holeBytes", 30752UL)]
    [InlineData("hole-reuse-10-20-30", "request25KiBOffset", 0x2a0UL)]
    [InlineData("fragmentation-pins-heap", "breakOffsetAfterFreesWithPin", 0x42000UL)]
    [InlineData("fragmentation-pins-heap", "breakOffsetAfterFreesWithoutPin", 0x21000UL)]
    [InlineData("dynamic-threshold", "secondBreakGrowthBytes", 0x100000UL)]
    public void Scenarios_PinnedNumbers_OnTheSimulationAndTheRealGlibc(string scenario, string number, ulong expected)
    {
        var item = _all.Scenario(scenario);
        Assert.Equal(expected, item.GetProperty("numbers").GetProperty("simulation").GetProperty(number).GetUInt64());
        if (GlibcOracle.IsAvailable)
        {
            Assert.Equal(expected, item.GetProperty("numbers").GetProperty("realGlibc").GetProperty(number).GetUInt64());
        }
    }

    [Theory]
    [InlineData("pageFaultsTouching256KiB", 64L)]
    [InlineData("rssGrowthTouching256KiB", 262144L)]
    [InlineData("pageFaultsTouchingAll", 192L)]
    public void Scenarios_VirtualUntilTouched_CountsFaultsPerTouchedPage(string number, long expected)
    {
        var simulation = _all.Scenario("virtual-until-touched").GetProperty("numbers").GetProperty("simulation");
        Assert.Equal(expected, simulation.GetProperty(number).GetInt64());
        Assert.True(simulation.GetProperty("vszGrowthAtMalloc").GetInt64() >= 1 << 20);
        Assert.True(simulation.GetProperty("rssGrowthAtMalloc").GetInt64() <= 2 * 4096);
    }

    [Theory]
    [InlineData("pageFaultsTouching256KiB", 64L)]
    [InlineData("rssGrowthTouching256KiB", 262144L)]
    [InlineData("pageFaultsTouchingAll", 192L)]
    [InlineData("rssGrowthTouchingAll", 786432L)]
    public void Scenarios_VirtualUntilTouched_RealGlibcFaultsPerTouchedPage(string number, long expected)
    {
        if (!GlibcOracle.IsAvailable)
        {
            return;
        }

        var real = _all.Scenario("virtual-until-touched").GetProperty("numbers").GetProperty("realGlibc");
        Assert.Equal(expected, real.GetProperty(number).GetInt64());
    }

    [Fact]
    public void Scenarios_RealGlibc_HoldsWhereObservableOrSaysWhy()
    {
        foreach (var item in _all.Json.EnumerateArray())
        {
            string name = item.GetProperty("name").GetString()!;
            var real = item.GetProperty("holdsOnRealGlibc");
            if (!GlibcOracle.IsAvailable)
            {
                Assert.Equal(JsonValueKind.Null, real.ValueKind);
                Assert.Contains("real glibc:", item.GetProperty("reason").GetString(), StringComparison.Ordinal);
            }
            else
            {
                Assert.True(real.ValueKind == JsonValueKind.True, $"{name}: {item}");
            }
        }
    }

    [Fact]
    public void Scenarios_Log_ShowsTheSystemCalls()
    {
        var run = CliRun.Of("scenarios", "brk-below-threshold", "--log", "--no-real");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("p0 = malloc(1000) = 0x5555555592a0", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("brk(NULL) = 0x555555559000", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("brk(0x55555557a000) = 0x55555557a000", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("holds", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Scenarios_NoReal_LeavesTheRealVerdictUnknownWithAReason()
    {
        var run = CliRun.Of("scenarios", "trim-top", "--no-real", "--json");
        Assert.Equal(0, run.ExitCode);
        var item = run.Json()[0];
        Assert.Equal(JsonValueKind.Null, item.GetProperty("holdsOnRealGlibc").ValueKind);
        Assert.Contains("not requested", item.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.False(item.GetProperty("numbers").TryGetProperty("realGlibc", out _));
    }

    [Fact]
    public void Scenarios_Strategies_AddsARowPerStrategy()
    {
        var run = CliRun.Of("scenarios", "free-unmaps-mmap", "--strategies", "--no-real", "--json");
        Assert.Equal(0, run.ExitCode);
        var rows = run.Json()[0].GetProperty("strategies").EnumerateArray().ToArray();
        Assert.Equal(["glibc", "buddy", "slab", "mmap"], rows.Select(r => r.GetProperty("strategy").GetString()));
        var glibc = rows[0];
        Assert.Equal(1, glibc.GetProperty("mmap").GetInt64());
        Assert.Equal(1, glibc.GetProperty("munmap").GetInt64());
        Assert.All(rows, r => Assert.True(r.GetProperty("peakVszBytes").GetUInt64() >= 1 << 20));

        var table = CliRun.Of("scenarios", "free-unmaps-mmap", "--strategies", "--no-real");
        Assert.Contains("peak VSZ", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("slab", table.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Scenarios_UnknownName_ListsTheNames()
    {
        var run = CliRun.Of("scenarios", "free-everything");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("'free-everything'", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("pool-132k", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Scenarios_List_GivesEveryClaim()
    {
        var run = CliRun.Of("scenarios", "--list", "--json");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(s_names, run.Json().EnumerateArray().Select(i => i.GetProperty("name").GetString()));
    }

    [Fact]
    public void Engine_BreakThatCannotGrow_MakesTheBrkClaimFail()
    {
        // With the data segment limited to 64 KiB the heap cannot take its 132 KiB pool: glibc falls back to mmap,
        // and the verdict, computed from the numbers, says the brk claim does not hold.
        var engine = new ScenarioEngine(useRealGlibc: false, () => new SimulatedOs(new SimulatedOsOptions { DataLimitBytes = 64 * 1024 }));
        var result = engine.Run(["brk-below-threshold", "pool-132k"]);
        Assert.All(result, r => Assert.False(r.Holds));
        Assert.All(result, r => Assert.Contains("simulation: not as claimed", r.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public void Engine_LargerPages_MoveTheFirstBrkAndTheVerdictFollows()
    {
        // 16 KiB pages round the first growth (0x202b0 bytes) up to 0x24000: the 132 KiB claim is then false.
        var engine = new ScenarioEngine(useRealGlibc: false, () => new SimulatedOs(new SimulatedOsOptions { PageSize = 16384, BreakStart = 0x555555558000, MmapBase = 0x7ffff7ffc000 }));
        var result = Assert.Single(engine.Run(["pool-132k"]));
        Assert.True(result.Numbers.ContainsKey("simulation") && result.Numbers["simulation"].Count > 0, result.Reason);
        Assert.Equal(0x24000UL, result.Numbers["simulation"]["firstBreakOffset"]);
        Assert.False(result.Holds);
        Assert.Null(result.HoldsOnRealGlibc);
    }

    /// <summary>Runs every scenario once (on the real glibc too when a compiler is present) for the whole class.</summary>
    public sealed class AllScenarios
    {
        public AllScenarios()
        {
            Run = CliRun.Of("scenarios", "--json");
            Json = Run.Json();
        }

        public CliRun Run { get; }

        public JsonElement Json { get; }

        public JsonElement Scenario(string name) => Json.EnumerateArray().Single(i => i.GetProperty("name").GetString() == name);
    }
}
