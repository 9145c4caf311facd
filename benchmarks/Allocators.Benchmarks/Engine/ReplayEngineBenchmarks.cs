// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using Allocators.Strategies;
using Allocators.Workloads;
using BenchmarkDotNet.Attributes;

namespace Allocators.Benchmarks.Engine;

/// <summary>
/// The replay engine end to end, as <c>allocators replay</c> runs it: open a multi-million-call text trace, parse
/// it in batches and replay every call through the glibc strategy on a fresh simulated process. The trace is
/// generated once (seeded) into a temporary file in <see cref="Setup"/>. Throughput is the <c>Calls/s</c>
/// column; the tool's own memory is the process's peak working set after setup and after all replays
/// (<c>Tool peak WS</c>), which must stay flat as <see cref="Calls"/> grows.
/// </summary>
/// <remarks>
/// One invocation takes seconds, so the class fixes one invocation per iteration, one warm-up and three measured
/// iterations whatever the job: enough for a throughput figure, and it keeps the short suite short.
/// </remarks>
[BenchmarkCategory("Engine")]
[InvocationCount(1)]
[WarmupCount(1)]
[IterationCount(3)]
public class ReplayEngineBenchmarks
{
    private string _tracePath = string.Empty;
    private long _peakAfterSetup;

    /// <summary>Gets or sets the number of calls in the trace.</summary>
    [Params(2_000_000, 8_900_000)]
    public int Calls { get; set; }

    /// <summary>Gets the directory holding the generated traces and the memory notes read by <see cref="ReplayEngineColumn"/>.</summary>
    public static string WorkDirectory => Path.Combine(Path.GetTempPath(), "allocators-bench");

    /// <summary>Writes (or reuses) the trace and notes the peak working set so far.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _tracePath = ReplayTraceGenerator.WriteCached(WorkDirectory, Calls);
        File.Delete(MemoryNotePath(Calls));
        _peakAfterSetup = PeakWorkingSet();
    }

    /// <summary>Writes the peak working set before and after the replays for <see cref="ReplayEngineColumn"/>.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        string note = string.Create(CultureInfo.InvariantCulture, $"{_peakAfterSetup} {PeakWorkingSet()}");
        File.WriteAllText(MemoryNotePath(Calls), note);
        Console.WriteLine($"// tool peak working set: {_peakAfterSetup / (1 << 20)} MiB after setup, {PeakWorkingSet() / (1 << 20)} MiB after replaying {Calls} calls");
    }

    /// <summary>Parses and replays the whole trace through the glibc strategy.</summary>
    /// <returns>The number of calls replayed.</returns>
    [Benchmark]
    public long ReplayGlibc()
    {
        var replayer = new Replayer(os => AllocatorCatalog.Create("glibc", os));
        ReplayResult result = replayer.Replay(_tracePath);
        return result.Calls;
    }

    internal static string MemoryNotePath(long calls) => Path.Combine(WorkDirectory, $"replay-engine-{calls}.memory");

    private static long PeakWorkingSet()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.PeakWorkingSet64;
    }
}
