// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Benchmarks.Infrastructure;

/// <summary>
/// What one untimed run of a workload does to the simulated process: the numbers behind the custom columns.
/// </summary>
public sealed record SimulationProfile
{
    /// <summary>Gets the calls one run performs, the drain included (count).</summary>
    public int Calls { get; init; }

    /// <summary>Gets the source calls left out of the sequence (count).</summary>
    public long SkippedCalls { get; init; }

    /// <summary>Gets the peak resident set of the simulated process (bytes).</summary>
    public ulong PeakRssBytes { get; init; }

    /// <summary>Gets the peak virtual size of the simulated process (bytes).</summary>
    public ulong PeakVszBytes { get; init; }

    /// <summary>Gets the system calls of the run, drain included (count).</summary>
    public long Syscalls { get; init; }

    /// <summary>Gets the page faults of the run (count).</summary>
    public long PageFaults { get; init; }

    /// <summary>Gets the external fragmentation when the workload ends, before the drain (0..1).</summary>
    public double Fragmentation { get; init; }

    /// <summary>Gets the bytes held from the OS per live byte when the workload ends, before the drain (ratio; 0 when nothing is live).</summary>
    public double Overhead { get; init; }

    /// <summary>Gets the allocating calls that returned null (count).</summary>
    public long FailedAllocations { get; init; }
}
