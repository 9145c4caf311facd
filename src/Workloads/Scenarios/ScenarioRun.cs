// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Generic;

namespace Allocators.Workloads.Scenarios;

/// <summary>One run of a list of steps in a fresh process on one side.</summary>
/// <param name="Side">The strategy name, or <c>real glibc</c>.</param>
/// <param name="Steps">One observation per step.</param>
/// <param name="BaselineVszBytes">VSZ held before the first step (null when unknown).</param>
/// <param name="BaselineRssBytes">RSS before the first step (null when unknown).</param>
/// <param name="PeakVszBytes">Peak VSZ over the run (simulation only).</param>
/// <param name="PeakRssBytes">Peak RSS over the run (simulation only).</param>
/// <param name="FinalOs">The OS counters at the end of the run, less those before it (simulation only).</param>
public sealed record ScenarioRun(
    string Side,
    IReadOnlyList<StepObservation> Steps,
    ulong? BaselineVszBytes,
    ulong? BaselineRssBytes,
    ulong? PeakVszBytes,
    ulong? PeakRssBytes,
    OsStatistics? FinalOs = null)
{
    /// <summary>The observation of step <paramref name="index"/>.</summary>
    public StepObservation this[int index] => Steps[index];

    /// <summary>The last observation.</summary>
    public StepObservation Last => Steps[^1];
}
