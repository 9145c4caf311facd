// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Allocators.Benchmarks.Infrastructure;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Allocators.Benchmarks.Engine;

/// <summary>
/// The replay-engine columns: calls per second (the <c>Calls</c> parameter over the mean time), and the
/// benchmark process's peak working set after setup and after the replays, read from the note the benchmark
/// process leaves in <see cref="ReplayEngineBenchmarks.WorkDirectory"/>. <c>-</c> on other benchmarks.
/// </summary>
public sealed class ReplayEngineColumn : IColumn
{
    private readonly ReplayEngineMetric _metric;

    /// <summary>Creates the column of one metric.</summary>
    public ReplayEngineColumn(ReplayEngineMetric metric)
    {
        _metric = metric;
        (ColumnName, Legend) = metric switch
        {
            ReplayEngineMetric.CallsPerSecond => ("Calls/s", "Trace calls parsed and replayed per second (Calls / Mean)"),
            ReplayEngineMetric.PeakWorkingSet => ("Tool peak WS", "Peak working set of the benchmark process: after setup / after all replays"),
            _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "unknown metric"),
        };
    }

    /// <inheritdoc/>
    public string Id => nameof(ReplayEngineColumn) + "." + _metric;

    /// <inheritdoc/>
    public string ColumnName { get; }

    /// <inheritdoc/>
    public bool AlwaysShow => true;

    /// <inheritdoc/>
    public ColumnCategory Category => ColumnCategory.Custom;

    /// <inheritdoc/>
    public int PriorityInCategory => 100 + (int)_metric;

    /// <inheritdoc/>
    public bool IsNumeric => true;

    /// <inheritdoc/>
    public UnitType UnitType => UnitType.Dimensionless;

    /// <inheritdoc/>
    public string Legend { get; }

    /// <inheritdoc/>
    public bool IsAvailable(Summary summary) =>
        summary.BenchmarksCases.Any(c => c.Descriptor.Type == typeof(ReplayEngineBenchmarks));

    /// <inheritdoc/>
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        if (benchmarkCase.Descriptor.Type != typeof(ReplayEngineBenchmarks)
            || benchmarkCase.Parameters[nameof(ReplayEngineBenchmarks.Calls)] is not int calls)
        {
            return "-";
        }

        if (_metric == ReplayEngineMetric.CallsPerSecond)
        {
            double? mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
            return mean is double ns && ns > 0
                ? (calls / (ns / 1e9) / 1e6).ToString("F2", CultureInfo.InvariantCulture) + " M"
                : "-";
        }

        string path = ReplayEngineBenchmarks.MemoryNotePath(calls);
        if (!File.Exists(path))
        {
            return "-";
        }

        string[] parts = File.ReadAllText(path).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 2
            && ulong.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out ulong before)
            && ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out ulong after)
            ? SimulationColumn.Bytes(before) + " / " + SimulationColumn.Bytes(after)
            : "-";
    }

    /// <inheritdoc/>
    public override string ToString() => ColumnName;
}
