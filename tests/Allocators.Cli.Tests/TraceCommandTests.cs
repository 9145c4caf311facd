// Copyright (c) Allocators contributors. MIT License.

using System.Text.Json;

namespace Allocators.Cli.Tests;

public sealed class TraceCommandTests : IDisposable
{
    private readonly string _dir = TestFiles.NewScratchDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Compare_Default_ReplaysEveryStrategy()
    {
        var run = CliRun.Of("compare", SampleTrace.Write(_dir), "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var reports = run.Json().EnumerateArray().ToArray();
        Assert.Equal(["glibc", "buddy", "slab", "mmap"], reports.Select(r => r.GetProperty("strategy").GetString()));
        Assert.All(reports, r => Assert.Equal(SampleTrace.Calls, r.GetProperty("calls").GetInt64()));
        Assert.All(reports, r => Assert.Equal(JsonValueKind.Null, r.GetProperty("error").ValueKind));
    }

    [Fact]
    public void Compare_StrategyList_KeepsItsOrder()
    {
        var run = CliRun.Of("compare", SampleTrace.Write(_dir), "--strategies", "mmap, glibc", "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["mmap", "glibc"], run.Json().EnumerateArray().Select(r => r.GetProperty("strategy").GetString()));
    }

    [Fact]
    public void Compare_Table_HasAColumnPerStrategy()
    {
        var run = CliRun.Of("compare", SampleTrace.Write(_dir));
        Assert.Equal(0, run.ExitCode);
        foreach (string name in new[] { "glibc", "buddy", "slab", "mmap", "syscalls", "ns per call" })
        {
            Assert.Contains(name, run.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Compare_UnknownStrategyInList_FailsBeforeReplaying()
    {
        var run = CliRun.Of("compare", SampleTrace.Write(_dir), "--strategies", "glibc,jemalloc");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("'jemalloc'", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Stdout);
    }

    [Fact]
    public void Verify_TheGlibcStrategysOwnOutput_IsExact()
    {
        string sim = Path.Combine(_dir, "sim.trace");
        Assert.Equal(0, CliRun.Of("replay", SampleTrace.Write(_dir), "-s", "glibc", "-o", sim).ExitCode);
        var run = CliRun.Of("verify", sim, "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var json = run.Json();
        Assert.True(json.GetProperty("exact").GetBoolean());
        Assert.Equal(SampleTrace.Calls, json.GetProperty("calls").GetInt64());
        Assert.Equal(SampleTrace.Calls, json.GetProperty("callsMatched").GetInt64());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("firstDivergence").ValueKind);

        var text = CliRun.Of("verify", sim);
        Assert.Contains("exact", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("12 of 12 calls matched", text.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_AlteredResult_ExitsNonZeroWithTheFirstDivergence()
    {
        string sim = Path.Combine(_dir, "sim.trace");
        Assert.Equal(0, CliRun.Of("replay", SampleTrace.Write(_dir), "-s", "glibc", "-o", sim).ExitCode);
        var lines = File.ReadAllLines(sim).ToList();
        int index = lines.FindIndex(l => l.StartsWith("7 c ", StringComparison.Ordinal));
        string[] fields = lines[index].Split(' ');
        ulong result = Convert.ToUInt64(fields[4][2..], 16);
        string altered = string.Join(' ', fields.Take(4).Append("0x" + (result + 0x100).ToString("x")));
        lines[index] = altered;
        File.WriteAllLines(sim, lines);

        var run = CliRun.Of("verify", sim, "--json");
        Assert.Equal(2, run.ExitCode);
        var json = run.Json();
        Assert.False(json.GetProperty("exact").GetBoolean());
        Assert.Equal(4, json.GetProperty("callsMatched").GetInt64());
        var divergence = json.GetProperty("firstDivergence");
        Assert.Equal(index + 1, divergence.GetProperty("line").GetInt64());
        Assert.NotEmpty(divergence.GetProperty("expectedContext").EnumerateArray());

        var text = CliRun.Of("verify", sim);
        Assert.Equal(2, text.ExitCode);
        Assert.Contains("first divergence", text.Stdout, StringComparison.Ordinal);
        Assert.Contains(altered, text.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Verify_TraceWithoutHeapStart_SaysWhy()
    {
        string trace = Path.Combine(_dir, "noheap.trace");
        File.WriteAllText(trace, "1 m 5 0x10\n");
        var run = CliRun.Of("verify", trace);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("heap-start", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("t.bin")]
    [InlineData("t.trace.gz")]
    [InlineData("t.trace.zst")]
    public void Convert_ThereAndBack_KeepsEveryCall(string middle)
    {
        string trace = SampleTrace.Write(_dir);
        string there = Path.Combine(_dir, middle);
        string back = Path.Combine(_dir, "back.trace");
        var first = CliRun.Of("convert", trace, there, "--json");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(first.Json().GetProperty("records").GetInt64() >= SampleTrace.Calls);
        Assert.Equal(0, CliRun.Of("convert", there, back).ExitCode);

        static string[] Calls(string path) => File.ReadAllLines(path).Where(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#')).Select(l => l.Trim()).ToArray();
        Assert.Equal(Calls(trace), Calls(back));
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Convert_Malformed_NamesTheLineAndWritesNothing()
    {
        string bad = Path.Combine(_dir, "bad.trace");
        File.WriteAllText(bad, "1 m 5 0x10\n1 m five 0x20\n");
        string output = Path.Combine(_dir, "out.bin");
        var run = CliRun.Of("convert", bad, output);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("bad.trace:2", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_dir, "out.bin*"));
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Convert_MissingInput_SaysSo()
    {
        var run = CliRun.Of("convert", Path.Combine(_dir, "missing.trace"), Path.Combine(_dir, "x.bin"));
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("error: file not found:", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Record_ProgramThatDoesNotExist_FailsClearly()
    {
        string output = Path.Combine(_dir, "rec.trace");
        var run = CliRun.Of("record", "--output", output, "--", Path.Combine(_dir, "no-such-program"));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("no-such-program", run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Record_RealProgram_GivesATraceThatReplaysAndVerifies()
    {
        string input = Path.Combine(_dir, "words.txt");
        File.WriteAllLines(input, Enumerable.Range(0, 500).Select(i => ((i * 7919) % 1000).ToString("D4")));
        string output = Path.Combine(_dir, "sort.trace");
        var run = CliRun.Of("record", "--output", output, "--discard-output", "--json", "--", "sort", input);
        if (run.ExitCode != 0)
        {
            // Only a machine without a C compiler may fail here, and it must say so.
            Assert.Contains("compiler", run.Stderr, StringComparison.OrdinalIgnoreCase);
            return;
        }

        long calls = run.Json().GetProperty("calls").GetInt64();
        Assert.True(calls > 0);
        Assert.StartsWith("# heap-start 0x", File.ReadLines(output).First(), StringComparison.Ordinal);
        var replay = CliRun.Of("replay", output, "-s", "buddy", "--json");
        Assert.True(replay.ExitCode == 0, replay.ToString());
        Assert.Equal(calls, replay.Json().GetProperty("calls").GetInt64());
        var verify = CliRun.Of("verify", output, "--json");
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.True(verify.Json().GetProperty("exact").GetBoolean());
    }

    [Fact]
    public void Strategies_Json_ListsTheFourWithTheirOptions()
    {
        var run = CliRun.Of("strategies", "--json");
        Assert.Equal(0, run.ExitCode);
        var strategies = run.Json().EnumerateArray().ToArray();
        Assert.Equal(["glibc", "buddy", "slab", "mmap"], strategies.Select(s => s.GetProperty("name").GetString()));
        Assert.All(strategies, s => Assert.True(s.GetProperty("available").GetBoolean()));
        Assert.Contains(
            strategies[0].GetProperty("options").EnumerateArray(),
            o => o.GetProperty("name").GetString() == "MmapThresholdBytes");
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void UnknownCommand_IsAUsageError()
    {
        var run = CliRun.Of("frobnicate");
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("frobnicate", run.Stderr, StringComparison.Ordinal);
    }
}
