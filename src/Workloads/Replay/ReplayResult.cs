// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;

namespace Allocators.Workloads;

/// <summary>The figures of one replay of a trace through one strategy.</summary>
public sealed record ReplayResult
{
    /// <summary>Gets the strategy name.</summary>
    public required string Strategy { get; init; }

    /// <summary>Gets the number of calls replayed (skipped ones excluded).</summary>
    public long Calls { get; init; }

    /// <summary>Gets the number of calls skipped because their pointer was not live (<see cref="ReplayOptions.SkipUnknown"/>).</summary>
    public long SkippedCalls { get; init; }

    /// <summary>Gets the number of allocating calls that failed in the simulation but succeeded in the trace.</summary>
    public long FailedAllocations { get; init; }

    /// <summary>Gets the number of blocks freed by <see cref="ReplayOptions.Drain"/>.</summary>
    public long DrainedBlocks { get; init; }

    /// <summary>Gets the peak of the bytes the program asked for that were live at once (bytes).</summary>
    public ulong PeakLiveBytes { get; init; }

    /// <summary>Gets the requested bytes still live at the end (after draining, 0) (bytes).</summary>
    public ulong FinalLiveBytes { get; init; }

    /// <summary>Gets the peak resident set of the simulated process (bytes).</summary>
    public ulong PeakRssBytes { get; init; }

    /// <summary>Gets the resident set at the end (bytes).</summary>
    public ulong FinalRssBytes { get; init; }

    /// <summary>Gets the peak virtual size (bytes).</summary>
    public ulong PeakVszBytes { get; init; }

    /// <summary>Gets the virtual size at the end (bytes).</summary>
    public ulong FinalVszBytes { get; init; }

    /// <summary>Gets the page faults (count).</summary>
    public long PageFaults { get; init; }

    /// <summary>Gets the system calls per kind.</summary>
    public SyscallCounts Syscalls { get; init; }

    /// <summary>Gets the time spent replaying: the allocator calls with their address mapping and output, not parsing.</summary>
    public TimeSpan ReplayTime { get; init; }

    /// <summary>Gets <see cref="ReplayTime"/> per call (nanoseconds).</summary>
    public double NsPerCall { get; init; }

    /// <summary>Gets the <c># heap-start</c> of the trace, when it had one (the simulated break started there).</summary>
    public ulong? HeapStart { get; init; }

    /// <summary>Gets the number of distinct threads in the trace.</summary>
    public int Threads { get; init; }

    /// <summary>Gets the samples over the call index (<see cref="ReplayOptions.SampleInterval"/>), ending with one after the last call.</summary>
    public required IReadOnlyList<ReplaySample> Samples { get; init; }

    /// <summary>Gets the strategy's statistics at the end.</summary>
    public AllocatorStatistics Statistics { get; init; }
}
