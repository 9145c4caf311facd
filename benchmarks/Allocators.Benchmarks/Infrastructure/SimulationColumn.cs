// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Globalization;
using System.Linq;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Allocators.Benchmarks.Infrastructure;

/// <summary>
/// A column of numbers from the simulated process (peak RSS, VSZ, system calls, page faults, fragmentation),
/// taken from <see cref="SimulationProfiles"/>; shown on the <c>Simulated</c> rows, <c>-</c> on the
/// <c>Native</c> rows (the real process's numbers are not comparable). <see cref="SimulationMetric.Calls"/> and
/// <see cref="SimulationMetric.TimePerCall"/> apply to both rows.
/// </summary>
public sealed class SimulationColumn : IColumn
{
    private readonly SimulationMetric _metric;

    /// <summary>Creates the column of one metric.</summary>
    public SimulationColumn(SimulationMetric metric)
    {
        _metric = metric;
        (ColumnName, Legend) = metric switch
        {
            SimulationMetric.Calls => ("Calls", "Allocation calls per invocation (the drain included), the same on both sides"),
            SimulationMetric.TimePerCall => ("Time/call", "Mean divided by Calls"),
            SimulationMetric.PeakRss => ("Sim peak RSS", "Peak resident set of the simulated process over one run"),
            SimulationMetric.PeakVsz => ("Sim peak VSZ", "Peak virtual size of the simulated process over one run"),
            SimulationMetric.Syscalls => ("Sim syscalls", "brk/mmap/munmap/mremap/mprotect/madvise calls of the simulated process over one run"),
            SimulationMetric.PageFaults => ("Sim faults", "Page faults (first touches) of the simulated process over one run"),
            SimulationMetric.Fragmentation => ("Sim frag", "External fragmentation when the workload ends, before the drain: 1 - largest free block / free bytes"),
            SimulationMetric.FailedAllocations => ("Sim failed", "Allocating calls that returned null in the simulation"),
            _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "unknown metric"),
        };
    }

    /// <inheritdoc/>
    public string Id => nameof(SimulationColumn) + "." + _metric;

    /// <inheritdoc/>
    public string ColumnName { get; }

    /// <inheritdoc/>
    public bool AlwaysShow => true;

    /// <inheritdoc/>
    public ColumnCategory Category => ColumnCategory.Custom;

    /// <inheritdoc/>
    public int PriorityInCategory => (int)_metric;

    /// <inheritdoc/>
    public bool IsNumeric => true;

    /// <inheritdoc/>
    public UnitType UnitType => UnitType.Dimensionless;

    /// <inheritdoc/>
    public string Legend { get; }

    /// <inheritdoc/>
    public bool IsAvailable(Summary summary) =>
        summary.BenchmarksCases.Any(c => typeof(HeadToHeadBenchmark).IsAssignableFrom(c.Descriptor.Type));

    /// <inheritdoc/>
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        SimulationProfile? profile = SimulationProfiles.Get(benchmarkCase);
        if (profile is null)
        {
            return "-";
        }

        if (_metric == SimulationMetric.Calls)
        {
            return profile.Calls.ToString("N0", CultureInfo.InvariantCulture);
        }

        if (_metric == SimulationMetric.TimePerCall)
        {
            double? mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
            return mean is double ns && profile.Calls > 0
                ? (ns / profile.Calls).ToString("F1", CultureInfo.InvariantCulture) + " ns"
                : "-";
        }

        if (benchmarkCase.Descriptor.WorkloadMethod.Name.Contains("Native", StringComparison.Ordinal))
        {
            return "-";
        }

        return _metric switch
        {
            SimulationMetric.PeakRss => Bytes(profile.PeakRssBytes),
            SimulationMetric.PeakVsz => Bytes(profile.PeakVszBytes),
            SimulationMetric.Syscalls => profile.Syscalls.ToString("N0", CultureInfo.InvariantCulture),
            SimulationMetric.PageFaults => profile.PageFaults.ToString("N0", CultureInfo.InvariantCulture),
            SimulationMetric.Fragmentation => profile.Fragmentation.ToString("P1", CultureInfo.InvariantCulture),
            SimulationMetric.FailedAllocations => profile.FailedAllocations.ToString("N0", CultureInfo.InvariantCulture),
            _ => "-",
        };
    }

    /// <inheritdoc/>
    public override string ToString() => ColumnName;

    internal static string Bytes(ulong bytes) => bytes switch
    {
        >= 1UL << 30 => (bytes / (double)(1UL << 30)).ToString("F2", CultureInfo.InvariantCulture) + " GiB",
        >= 1UL << 20 => (bytes / (double)(1UL << 20)).ToString("F1", CultureInfo.InvariantCulture) + " MiB",
        >= 1UL << 10 => (bytes / (double)(1UL << 10)).ToString("F1", CultureInfo.InvariantCulture) + " KiB",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + " B",
    };
}
