// Copyright (c) Allocators contributors. MIT License.

using System.Xml.Linq;

namespace Allocators.Cli.Tests;

public sealed class WorkloadAndReportTests : IDisposable
{
    private readonly string _dir = TestFiles.NewScratchDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Workload_List_NamesTheEightGenerators()
    {
        var run = CliRun.Of("workload", "--list", "--json");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(
            ["glibc-simple", "glibc-thread", "larson", "xmalloc", "mstress", "alloc-test", "malloc-large", "sh6bench"],
            run.Json().EnumerateArray().Select(w => w.GetProperty("name").GetString()));
    }

    [Fact]
    public void Workload_SameSeed_SameTrace_AndItReplays()
    {
        string a = Path.Combine(_dir, "a.trace");
        string b = Path.Combine(_dir, "b.trace");
        var first = CliRun.Of("workload", "larson", "--seed", "7", "--scale", "0.01", "--output", a, "--json");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(0, CliRun.Of("workload", "larson", "--seed", "7", "--scale", "0.01", "--output", b).ExitCode);
        Assert.Equal(File.ReadAllText(a), File.ReadAllText(b));
        long calls = first.Json().GetProperty("calls").GetInt64();
        Assert.True(calls > 0);

        var replay = CliRun.Of("replay", a, "-s", "slab", "--json");
        Assert.True(replay.ExitCode == 0, replay.ToString());
        Assert.Equal(calls, replay.Json().GetProperty("calls").GetInt64());
        Assert.True(replay.Json().GetProperty("threads").GetInt32() > 1);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Workload_UnknownNameOrMissingOutput_FailsClearly()
    {
        var unknown = CliRun.Of("workload", "nope", "--output", Path.Combine(_dir, "x.trace"));
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("'nope'", unknown.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_dir));

        var noOutput = CliRun.Of("workload", "larson");
        Assert.Equal(1, noOutput.ExitCode);
        Assert.Contains("--output", noOutput.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_Report_WritesValidChartsAndTheReport()
    {
        string trace = Path.Combine(_dir, "w.trace");
        Assert.Equal(0, CliRun.Of("workload", "alloc-test", "--scale", "0.01", "--output", trace).ExitCode);
        string report = Path.Combine(_dir, "report");
        var run = CliRun.Of("compare", trace, "--report", report);
        Assert.True(run.ExitCode == 0, run.ToString());

        foreach (string chart in new[] { "rss", "vsz", "live", "held", "fragmentation-internal", "fragmentation-external", "syscalls" })
        {
            var svg = XDocument.Load(Path.Combine(report, chart + ".svg"));
            Assert.Equal("svg", svg.Root!.Name.LocalName);
            string text = svg.ToString();
            foreach (string strategy in new[] { "glibc", "buddy", "slab", "mmap" })
            {
                Assert.Contains(strategy, text, StringComparison.Ordinal);
            }

            byte[] png = File.ReadAllBytes(Path.Combine(report, chart + ".png"));
            Assert.True(png.Length > 1000);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        }

        string md = File.ReadAllText(Path.Combine(report, "report.md"));
        Assert.Contains("| strategy |", md, StringComparison.Ordinal);
        Assert.Contains("![RSS over calls](rss.svg)", md, StringComparison.Ordinal);
        string html = File.ReadAllText(Path.Combine(report, "report.html"));
        Assert.Contains("<img src=\"syscalls.svg\"", html, StringComparison.Ordinal);
    }
}
