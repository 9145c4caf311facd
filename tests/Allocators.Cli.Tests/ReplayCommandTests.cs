// Copyright (c) Allocators contributors. MIT License.

using System.Text.Json;

namespace Allocators.Cli.Tests;

public sealed class ReplayCommandTests : IDisposable
{
    private static readonly string[] s_syscallKeys = ["brk", "mmap", "munmap", "mremap", "mprotect", "madvise"];
    private readonly string _dir = TestFiles.NewScratchDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("glibc")]
    [InlineData("buddy")]
    [InlineData("slab")]
    [InlineData("mmap")]
    public void Replay_EveryStrategy_JsonHasTheContractFields(string strategy)
    {
        string trace = SampleTrace.Write(_dir);
        var run = CliRun.Of("replay", trace, "--strategy", strategy, "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var json = run.Json();
        Assert.Equal(strategy, json.GetProperty("strategy").GetString());
        Assert.Equal(SampleTrace.Calls, json.GetProperty("calls").GetInt64());
        Assert.True(json.GetProperty("peakLiveBytes").GetUInt64() >= 300000);
        Assert.True(json.GetProperty("peakRssBytes").GetUInt64() > 0);
        Assert.True(json.GetProperty("peakVszBytes").GetUInt64() >= json.GetProperty("finalVszBytes").GetUInt64());
        Assert.True(json.GetProperty("finalRssBytes").GetUInt64() <= json.GetProperty("peakRssBytes").GetUInt64());
        Assert.True(json.GetProperty("pageFaults").GetInt64() > 0);
        var syscalls = json.GetProperty("syscalls");
        foreach (string key in s_syscallKeys)
        {
            Assert.Equal(JsonValueKind.Number, syscalls.GetProperty(key).ValueKind);
        }

        Assert.True(syscalls.GetProperty("mmap").GetInt64() + syscalls.GetProperty("brk").GetInt64() > 0);
        Assert.True(json.GetProperty("nsPerCall").GetDouble() > 0);
        Assert.Equal(2, json.GetProperty("threads").GetInt32());
    }

    [Fact]
    public void Replay_NoTouch_ResidentSetHoldsOnlyTheAllocatorsOwnPages()
    {
        string trace = SampleTrace.Write(_dir, singleThread: true);
        var touched = CliRun.Of("replay", trace, "-s", "mmap", "--json").Json();
        var untouched = CliRun.Of("replay", trace, "-s", "mmap", "--no-touch", "--json").Json();

        // The mmap strategy keeps no header in its blocks: untouched, only what calloc zeroed is resident.
        ulong untouchedRss = untouched.GetProperty("peakRssBytes").GetUInt64();
        ulong touchedRss = touched.GetProperty("peakRssBytes").GetUInt64();
        Assert.True(touchedRss >= 300000, touched.ToString());
        Assert.True(untouchedRss * 10 < touchedRss, $"untouched {untouchedRss}, touched {touchedRss}");
    }

    [Fact]
    public void Replay_Glibc_MatchesTheKnownSyscalls()
    {
        string trace = SampleTrace.Write(_dir, singleThread: true);
        var json = CliRun.Of("replay", trace, "-s", "glibc", "--json").Json();
        var syscalls = json.GetProperty("syscalls");

        // The 300000-byte request is mmapped and unmapped at its free; the heap grows once (brk(NULL) + brk).
        Assert.Equal(1, syscalls.GetProperty("mmap").GetInt64());
        Assert.Equal(1, syscalls.GetProperty("munmap").GetInt64());
        Assert.Equal(2, syscalls.GetProperty("brk").GetInt64());
        Assert.Equal("0x555555559000", json.GetProperty("heapStart").GetString());
    }

    [Fact]
    public void Replay_Table_ShowsTheStrategyAndRows()
    {
        string trace = SampleTrace.Write(_dir);
        var run = CliRun.Of("replay", trace, "-s", "buddy");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("buddy", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("peak RSS", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("munmap", run.Stdout, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Stderr);
    }

    [Fact]
    public void Replay_Output_WritesASimulatedTraceWithFacts()
    {
        string trace = SampleTrace.Write(_dir);
        string sim = Path.Combine(_dir, "sim.trace");
        var run = CliRun.Of("replay", trace, "-s", "glibc", "--output", sim, "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        string[] lines = File.ReadAllLines(sim);
        Assert.Equal("# heap-start 0x555555559000", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("# brk 0x", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("usable=", StringComparison.Ordinal) && l.Contains("hdr=0x", StringComparison.Ordinal));
        Assert.Equal(SampleTrace.Calls, lines.Count(l => !l.StartsWith('#')));
        Assert.False(File.Exists(sim + ".partial"));
    }

    [Fact]
    public void Replay_Options_AreBoundAndChangeTheOutcome()
    {
        string trace = SampleTrace.Write(_dir, singleThread: true);
        var json = CliRun.Of("replay", trace, "-s", "glibc", "--option", "mmap-threshold-bytes=1M", "--json").Json();
        Assert.Equal(0, json.GetProperty("syscalls").GetProperty("mmap").GetInt64());
    }

    [Fact]
    public void Replay_Drain_FreesEverythingLive()
    {
        string trace = SampleTrace.Write(_dir);
        var json = CliRun.Of("replay", trace, "-s", "mmap", "--drain", "--json").Json();
        Assert.Equal(0UL, json.GetProperty("finalLiveBytes").GetUInt64());
        Assert.True(json.GetProperty("drainedBlocks").GetInt64() > 0);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Replay_UnknownStrategy_FailsNamingIt()
    {
        var run = CliRun.Of("replay", SampleTrace.Write(_dir), "-s", "tcmalloc");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("error: unknown strategy 'tcmalloc'; strategies: glibc, buddy, slab, mmap", run.Stderr.Trim());
        Assert.Equal(string.Empty, run.Stdout);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Replay_UnknownOptionKey_NamesTheKeyAndTheValidKeys()
    {
        var run = CliRun.Of("replay", SampleTrace.Write(_dir), "-s", "glibc", "--option", "threshold=5");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("unknown option 'threshold'", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("MmapThresholdBytes", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [Trait("Category", "BadInput")]
    [InlineData("MmapThresholdBytes=lots", "'lots'")]
    [InlineData("MmapThresholdBytes", "not of the form KEY=VALUE")]
    public void Replay_BadOptionValue_NamesIt(string option, string expected)
    {
        var run = CliRun.Of("replay", SampleTrace.Write(_dir), "-s", "glibc", "--option", option);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains(expected, run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Replay_InvalidOptions_PrintsEveryValidationFailureOnItsOwnLine()
    {
        var run = CliRun.Of("replay", SampleTrace.Write(_dir), "-s", "glibc", "--option", "Perturb=300", "--option", "MaxFastBytes=1M");
        Assert.Equal(1, run.ExitCode);
        string[] lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("error: invalid options", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains("Perturb", StringComparison.Ordinal) && !l.Contains("MaxFastBytes", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("MaxFastBytes", StringComparison.Ordinal) && !l.Contains("Perturb", StringComparison.Ordinal));
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Replay_MalformedTrace_ReportsTheLineAndLeavesNoOutput()
    {
        string trace = Path.Combine(_dir, "bad.trace");
        File.WriteAllText(trace, "1 m 5 0x10\n1 m 7 0x20\n1 q 5\n");
        string sim = Path.Combine(_dir, "out.trace");
        var run = CliRun.Of("replay", trace, "-s", "glibc", "-o", sim);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("bad.trace:3", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("1 q 5", run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(sim));
        Assert.False(File.Exists(sim + ".partial"));
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Replay_UnknownPointer_FailsWithLineUnlessSkipped()
    {
        string trace = Path.Combine(_dir, "partial.trace");
        File.WriteAllText(trace, "1 m 5 0x10\n1 f 0x999\n1 f 0x10\n");
        var failed = CliRun.Of("replay", trace, "-s", "glibc");
        Assert.Equal(1, failed.ExitCode);
        Assert.Contains("2", failed.Stderr, StringComparison.Ordinal);
        Assert.Contains("0x999", failed.Stderr, StringComparison.Ordinal);

        var skipped = CliRun.Of("replay", trace, "-s", "glibc", "--skip-unknown", "--json");
        Assert.True(skipped.ExitCode == 0, skipped.ToString());
        Assert.Equal(1, skipped.Json().GetProperty("skippedCalls").GetInt64());
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Replay_MissingFile_SaysSo()
    {
        string missing = Path.Combine(_dir, "nope.trace");
        var run = CliRun.Of("replay", missing, "-s", "glibc");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"error: file not found: {missing}", run.Stderr.Trim());
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Replay_Verbose_AddsTheStackTrace()
    {
        var run = CliRun.Of("replay", Path.Combine(_dir, "nope.trace"), "-s", "glibc", "--verbose");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("   at ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Replay_MissingStrategyOption_IsAUsageError()
    {
        var run = CliRun.Of("replay", SampleTrace.Write(_dir));
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("--strategy", run.Stderr, StringComparison.Ordinal);
    }
}
