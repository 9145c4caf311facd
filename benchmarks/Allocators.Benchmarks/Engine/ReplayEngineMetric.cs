// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Benchmarks.Engine;

/// <summary>The numbers <see cref="ReplayEngineColumn"/> can show.</summary>
public enum ReplayEngineMetric
{
    /// <summary>Trace calls parsed and replayed per second.</summary>
    CallsPerSecond,

    /// <summary>The benchmark process's peak working set before and after the replays.</summary>
    PeakWorkingSet,
}
