// Copyright (c) Allocators contributors. MIT License.

using Allocators.Workloads;

namespace Allocators.Cli.Services;

/// <summary>One strategy's replay of a trace, as <c>replay --json</c> and <c>compare --json</c> print it.</summary>
internal sealed record StrategyReport
{
    public required string Trace { get; init; }

    public required string Strategy { get; init; }

    public long Calls { get; init; }

    public long SkippedCalls { get; init; }

    public long FailedAllocations { get; init; }

    public long DrainedBlocks { get; init; }

    public ulong PeakLiveBytes { get; init; }

    public ulong FinalLiveBytes { get; init; }

    public ulong PeakRssBytes { get; init; }

    public ulong FinalRssBytes { get; init; }

    public ulong PeakVszBytes { get; init; }

    public ulong FinalVszBytes { get; init; }

    public long PageFaults { get; init; }

    public SyscallCounts Syscalls { get; init; }

    public double NsPerCall { get; init; }

    public double ReplayMilliseconds { get; init; }

    public int Threads { get; init; }

    public string? HeapStart { get; init; }

    public string? Output { get; init; }

    public string? Error { get; init; }

    public static StrategyReport From(string trace, ReplayResult result, string? output) => new()
    {
        Trace = trace,
        Strategy = result.Strategy,
        Calls = result.Calls,
        SkippedCalls = result.SkippedCalls,
        FailedAllocations = result.FailedAllocations,
        DrainedBlocks = result.DrainedBlocks,
        PeakLiveBytes = result.PeakLiveBytes,
        FinalLiveBytes = result.FinalLiveBytes,
        PeakRssBytes = result.PeakRssBytes,
        FinalRssBytes = result.FinalRssBytes,
        PeakVszBytes = result.PeakVszBytes,
        FinalVszBytes = result.FinalVszBytes,
        PageFaults = result.PageFaults,
        Syscalls = result.Syscalls,
        NsPerCall = System.Math.Round(result.NsPerCall, 1),
        ReplayMilliseconds = System.Math.Round(result.ReplayTime.TotalMilliseconds, 3),
        Threads = result.Threads,
        HeapStart = result.HeapStart is { } h ? "0x" + h.ToString("x", System.Globalization.CultureInfo.InvariantCulture) : null,
        Output = output,
    };
}
