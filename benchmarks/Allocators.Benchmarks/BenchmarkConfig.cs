// Copyright (c) Allocators contributors. MIT License.

using System;
using Allocators.Benchmarks.Engine;
using Allocators.Benchmarks.Infrastructure;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Order;
using BenchmarkDotNet.Reports;

namespace Allocators.Benchmarks;

/// <summary>The one configuration every benchmark runs with.</summary>
public static class BenchmarkConfig
{
    /// <summary>
    /// The default job (or the one given on the command line, e.g. <c>--job short</c>), the memory diagnoser,
    /// the JSON exporter beside the default ones (GitHub markdown, CSV, HTML), median/min/max and ratio-to-baseline columns, and the columns taken
    /// from the simulation.
    /// </summary>
    public static IConfig Create() => DefaultConfig.Instance
        .AddDiagnoser(MemoryDiagnoser.Default)
        .AddExporter(JsonExporter.Brief)
        .AddColumn(StatisticColumn.Median, StatisticColumn.Min, StatisticColumn.Max)
        .AddColumn(BaselineRatioColumn.RatioMean, BaselineRatioColumn.RatioStdDev)
        .AddColumn(
            new SimulationColumn(SimulationMetric.Calls),
            new SimulationColumn(SimulationMetric.TimePerCall),
            new SimulationColumn(SimulationMetric.PeakRss),
            new SimulationColumn(SimulationMetric.PeakVsz),
            new SimulationColumn(SimulationMetric.Syscalls),
            new SimulationColumn(SimulationMetric.PageFaults),
            new SimulationColumn(SimulationMetric.Fragmentation),
            new SimulationColumn(SimulationMetric.FailedAllocations))
        .AddColumn(new ReplayEngineColumn(ReplayEngineMetric.CallsPerSecond), new ReplayEngineColumn(ReplayEngineMetric.PeakWorkingSet))
        .WithOrderer(new DefaultOrderer(SummaryOrderPolicy.Declared, MethodOrderPolicy.Declared))
        .WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(48))

        // The generated benchmark project rebuilds the whole solution graph; on a loaded 2-core machine that
        // takes longer than BenchmarkDotNet's default two minutes.
        .WithBuildTimeout(TimeSpan.FromMinutes(10));
}
