// Copyright (c) Allocators contributors. MIT License.

using System.Xml.Linq;
using Allocators.Os;
using Allocators.Strategies;
using Allocators.Workloads.Reports;

namespace Allocators.Cli.Tests;

public sealed class HeapMapAndSweepTests : IDisposable
{
    private readonly string _dir = TestFiles.NewScratchDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("glibc")]
    [InlineData("buddy")]
    [InlineData("slab")]
    [InlineData("mmap")]
    public void HeapMap_Blocks_MatchTheStrategysOwnWalkAtThatCall(string strategy)
    {
        string trace = SampleTrace.Write(_dir, singleThread: true);
        string svg = Path.Combine(_dir, strategy + ".svg");
        string png = Path.Combine(_dir, strategy + ".png");
        var run = CliRun.Of("heapmap", trace, "--strategy", strategy, "--at", "5", "--svg", svg, "--png", png, "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var json = run.Json();
        Assert.Equal(5, json.GetProperty("call").GetInt64());
        var drawn = json.GetProperty("blocks").EnumerateArray()
            .Select(b => (Convert.ToUInt64(b.GetProperty("address").GetString()![2..], 16), b.GetProperty("size").GetUInt64(), b.GetProperty("kind").GetString()!))
            .ToArray();

        // The same five calls run by hand on a fresh process laid out at the trace's heap start.
        using var os = new SimulatedOs(new SimulatedOsOptions { BreakStart = 0x555555559000 });
        var allocator = AllocatorCatalog.Create(strategy, os);
        ulong a = allocator.Allocate(5);
        ulong b = allocator.Allocate(200);
        allocator.Free(a);
        ulong c = allocator.Reallocate(b, 5000);
        allocator.AllocateZeroed(10, 10);
        Assert.NotEqual(0UL, c);
        var walk = ((IHeapWalker)allocator).WalkHeap().OrderBy(x => x.Address).Select(x => (x.Address, x.Size, x.Kind.ToString())).ToArray();
        Assert.Equal(walk, drawn);

        var doc = XDocument.Load(svg);
        Assert.Equal("svg", doc.Root!.Name.LocalName);
        Assert.Contains("heap at call 5", doc.ToString(), StringComparison.Ordinal);
        byte[] bytes = File.ReadAllBytes(png);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void HeapMap_NoOutputChosen_SaysWhatToGive()
    {
        var run = CliRun.Of("heapmap", SampleTrace.Write(_dir), "-s", "glibc", "--at", "3");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--svg", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Sweep_EveryCombination_IsReplayedAndParetoMarked()
    {
        string trace = SampleTrace.Write(_dir, singleThread: true);
        string chart = Path.Combine(_dir, "pareto");
        var run = CliRun.Of("sweep", trace, "-s", "glibc", "--param", "MmapThresholdBytes=128K,1M", "--param", "top-pad-bytes=0,64K,128K", "--chart", chart, "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var rows = run.Json().GetProperty("rows").EnumerateArray().ToArray();
        Assert.Equal(6, rows.Length);
        Assert.Contains(rows, r => r.GetProperty("pareto").GetBoolean());

        // The 300000-byte request is mmapped under a 128 KiB threshold and not under 1 MiB.
        var small = rows.First(r => r.GetProperty("options").GetProperty("MmapThresholdBytes").GetString() == "128K");
        var large = rows.First(r => r.GetProperty("options").GetProperty("MmapThresholdBytes").GetString() == "1M");
        Assert.NotEqual(small.GetProperty("peakVszBytes").GetUInt64(), large.GetProperty("peakVszBytes").GetUInt64());
        Assert.Equal("svg", XDocument.Load(chart + ".svg").Root!.Name.LocalName);
        Assert.True(new FileInfo(chart + ".png").Length > 1000);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Sweep_BadParam_FailsBeforeReplaying()
    {
        var run = CliRun.Of("sweep", SampleTrace.Write(_dir), "-s", "glibc", "--param", "MmapThresholdBytes=128K,lots");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("'lots'", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Stdout);
    }

    [Fact]
    public void ParetoFront_DominatedPoints_AreNotOptimal()
    {
        var optimal = ParetoFront.Optimal([[1, 5], [2, 2], [3, 3], [5, 1], [1, 5]]);
        Assert.Equal([true, true, false, true, true], optimal);
        Assert.True(ParetoFront.Dominates([1, 1], [1, 2]));
        Assert.False(ParetoFront.Dominates([1, 2], [1, 2]));
        Assert.False(ParetoFront.Dominates([0, 3], [1, 2]));
    }
}
