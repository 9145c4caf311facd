// Copyright (c) Allocators contributors. MIT License.

using Allocators.Workloads.Oracle;

namespace Allocators.Workloads.Tests.Oracle;

/// <summary>The specification's worked examples and measured quirks, compared between the real glibc and the simulation.</summary>
[Trait("Category", "Differential")]
public sealed class GlibcSpecDifferentialTests
{
    public static TheoryData<string> Scripts => new()
    {
        "malloc 1;mallinfo2;malloc 131072;malloc 200000;free 2;malloc 200000;mallinfo2",
        "malloc 1;malloc 120000;malloc 120000;mallinfo2;free 2;mallinfo2;free 1;mallinfo2;trim 0;mallinfo2",
        "memalign 64 100;malloc 10;mallinfo2;pvalloc 0;pvalloc 1;valloc 5000;mallinfo2",
        "malloc 0x4f0;malloc 0x10;malloc 0x4f0;malloc 0x10;malloc 0x4f0;malloc 0x10;free 0;free 2;free 4;malloc 0x600;"
            + "malloc 0x4f0;malloc 0x4f0;malloc 0x4f0;malloc 0x500;malloc 0x10;free 10;malloc 0x100;malloc 0x100;mallinfo2",
        "malloc 134472;trim 65536;trim 0;mallinfo2",
        "malloc 100;sbrk 5;mallopt -3 1000000;malloc 140000;mallinfo2;malloc 0x20d00;mallinfo2",
        "malloc 300000;realloc 0 100;realloc 1 500000;free 2;mallinfo2",
        "malloc 32000000;free 0;malloc 200000;mallinfo2",
        "malloc 33554432;free 0;malloc 200000;mallinfo2",
        "posix_memalign 24 10;posix_memalign 0 10;posix_memalign 64 10;aligned_alloc 48 10;memalign 100 1000;mallinfo2",
        "malloc 18446744073709551615;calloc 4294967296 4294967296;realloc null 9223372036854775807;malloc 0;usable 3;mallinfo2",
        "mallopt -1 32;malloc 65536;malloc 16;malloc 65536;malloc 16;free 0;free 2;mallinfo2",
        "malloc 100;realloc 0 0;usable null;free null;mallinfo2",
        "malloc_stats;malloc_info",
        "malloc 24;malloc 200000;malloc 0x500;malloc 10;free 2;malloc 24;malloc 24;free 3;free 4;malloc_stats;malloc_info",
        "malloc 24;malloc 24;malloc 24;malloc 24;malloc 24;malloc 24;malloc 24;malloc 24;malloc 24;malloc 0x500;malloc 16;"
            + "malloc 0x2000;malloc 16;free 0;free 1;free 2;free 3;free 4;free 5;free 6;free 7;free 8;free 9;free 11;malloc_info;malloc_stats",
    };

    [OracleFact]
    public void Run_MallocStatsAndInfoBetweenOperations_DoNotPerturbTheHeap()
    {
        const string Before = "malloc 24;malloc 0x500;malloc 16;free 1;";
        const string After = "malloc 100;malloc 0x600;mallinfo2";
        var plain = OracleRunner.Real(OracleRunner.Lines(Before + After));
        var probed = OracleRunner.Real(OracleRunner.Lines(Before + "malloc_stats;malloc_info;" + After));

        Assert.Equal(plain.Steps.Skip(4).Select(s => (s.Pointer, s.SizeWord, s.Break, s.Mallinfo)), probed.Steps.Skip(6).Select(s => (s.Pointer, s.SizeWord, s.Break, s.Mallinfo)));
        Assert.StartsWith("Arena 0:\nsystem bytes     =     135168\n", probed.Step(4).Text);
        Assert.StartsWith("<malloc version=\"1\">\n<heap nr=\"0\">\n<sizes>\n", probed.Step(5).Text);
    }

    [OracleTheory]
    [MemberData(nameof(Scripts))]
    public void Compare_SpecScript_SimulationMatchesRealGlibc(string compact)
        => Differential.AssertSame(OracleRunner.Lines(compact));

    [OracleFact]
    public void Compare_SimulationWithOtherTunables_MismatchIsReported()
    {
        var script = OracleScript.Parse("malloc 1\nmalloc 100\n");
        var real = GlibcOracle.Default.Run(script);
        var simulated = SimulatedOracle.Run(script, new Dictionary<string, string> { ["MALLOC_TOP_PAD_"] = "0" });

        var comparison = OracleComparer.Compare(script, real, simulated);

        Assert.False(comparison.IsMatch);
        Assert.Equal(0, comparison.MismatchOperation);
        Assert.Contains("break: expected 0x21000, actual 0x1000", comparison.Description);
    }

    [Fact]
    public void OptionsFromEnvironment_TunablesAndAliases_AreMappedAndOutOfRangeIgnored()
    {
        var options = SimulatedOracle.OptionsFromEnvironment(new Dictionary<string, string>
        {
            ["GLIBC_TUNABLES"] = "glibc.malloc.tcache_count=3:glibc.malloc.tcache_max=5000:glibc.malloc.mxfast=0x40:glibc.other.x=1",
            ["MALLOC_TOP_PAD_"] = "4096",
            ["MALLOC_PERTURB_"] = "300",
        });

        Assert.Equal(3ul, options.TcacheCount);
        Assert.Null(options.TcacheMaxBytes);
        Assert.Equal(0x40ul, options.MaxFastBytes);
        Assert.Equal(4096ul, options.TopPadBytes);
        Assert.Null(options.Perturb);
    }
}
