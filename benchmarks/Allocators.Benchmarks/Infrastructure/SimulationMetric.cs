// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Benchmarks.Infrastructure;

/// <summary>The numbers <see cref="SimulationColumn"/> can show.</summary>
public enum SimulationMetric
{
    /// <summary>Calls per invocation (both sides).</summary>
    Calls,

    /// <summary>Mean time per call (both sides).</summary>
    TimePerCall,

    /// <summary>Peak RSS of the simulated process.</summary>
    PeakRss,

    /// <summary>Peak VSZ of the simulated process.</summary>
    PeakVsz,

    /// <summary>System calls of the simulated process.</summary>
    Syscalls,

    /// <summary>Page faults of the simulated process.</summary>
    PageFaults,

    /// <summary>External fragmentation when the workload ends (before the drain).</summary>
    Fragmentation,

    /// <summary>Allocating calls that returned null in the simulation.</summary>
    FailedAllocations,
}
