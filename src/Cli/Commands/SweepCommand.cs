// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using Allocators.Cli.Reports;
using Allocators.Cli.Services;
using Allocators.Strategies;
using Allocators.Workloads.Reports;
using ScottPlot;
using Spectre.Console;

namespace Allocators.Cli.Commands;

/// <summary>
/// <c>allocators sweep TRACE --strategy NAME --param OPTION=V1,V2,… [--param …] [--chart FILE] [--json]</c>: a what-if
/// table over every combination of option values, with the Pareto-optimal ones (peak RSS, system calls, time) marked.
/// </summary>
internal static class SweepCommand
{
    public static Command Create(CliOutput output)
    {
        var trace = new Argument<string>("trace") { Description = "The trace." };
        var strategy = new Option<string>("--strategy", "-s") { Description = "glibc, buddy, slab or mmap.", Required = true };
        var parameters = new Option<string[]>("--param")
        {
            Description = "OPTION=V1,V2,… (an options property, e.g. MmapThresholdBytes=64K,128K,1M). Repeatable: every combination runs.",
            Arity = ArgumentArity.OneOrMore,
            Required = true,
        };
        var chart = new Option<string?>("--chart") { Description = "Write the Pareto chart (peak RSS against system calls) as FILE.svg and FILE.png." };
        var json = CommonOptions.Json();
        var command = new Command("sweep", "What-if: replay a trace under every combination of option values and compare.")
        {
            trace, strategy, parameters, chart, json,
        };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(trace)!;
            string name = parse.GetValue(strategy)!;
            ReplayService.RequireFile(path);
            var axes = parse.GetValue(parameters)!.Select(ParseAxis).ToArray();
            var combinations = Combine(axes);

            // Check every combination binds and validates before the long part starts.
            using (var probe = new Os.SimulatedOs())
            {
                foreach (var combination in combinations)
                {
                    _ = AllocatorCatalog.Create(name, probe, combination);
                }
            }

            var rows = output.WithProgress("sweep", fraction =>
            {
                var list = new List<SweepRow>(combinations.Count);

                // One untimed run first, so the first row's time is not the JIT compiling the strategy.
                _ = ReplayService.Replay(path, name, combinations[0], null, drain: false, skipUnknown: false);
                for (int i = 0; i < combinations.Count; i++)
                {
                    var report = ReplayService.Replay(path, name, combinations[i], null, drain: false, skipUnknown: false);
                    list.Add(new SweepRow(combinations[i].ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal), report.PeakRssBytes, report.PeakVszBytes, report.Syscalls.Total, report.PageFaults, report.NsPerCall, false));
                    fraction((double)(i + 1) / combinations.Count);
                }

                return list;
            });
            bool[] optimal = ParetoFront.Optimal(rows.Select(r => new[] { (double)r.PeakRssBytes, r.Syscalls, r.NsPerCall }).ToArray());
            rows = rows.Select((r, i) => r with { Pareto = optimal[i] }).ToList();
            string? chartBase = parse.GetValue(chart);
            (string Svg, string Png)? files = chartBase is null ? null : DrawChart(chartBase, name, rows);
            if (parse.GetValue(json))
            {
                output.WriteJson(new { trace = path, strategy = name, rows, chartSvg = files?.Svg, chartPng = files?.Png });
                return 0;
            }

            var table = new Table();
            foreach (var axis in axes)
            {
                table.AddColumn(Markup.Escape(axis.Key));
            }

            foreach (string column in new[] { "peak RSS", "peak VSZ", "syscalls", "page faults", "ns/call", "Pareto" })
            {
                table.AddColumn(new TableColumn(column).RightAligned());
            }

            foreach (var row in rows)
            {
                var cells = axes.Select(a => Markup.Escape(row.Options[a.Key])).ToList();
                cells.Add(NumberFormat.Bytes(row.PeakRssBytes));
                cells.Add(NumberFormat.Bytes(row.PeakVszBytes));
                cells.Add(row.Syscalls.ToString("N0", CultureInfo.InvariantCulture));
                cells.Add(row.PageFaults.ToString("N0", CultureInfo.InvariantCulture));
                cells.Add(row.NsPerCall.ToString("0.0", CultureInfo.InvariantCulture));
                cells.Add(row.Pareto ? "[green]yes[/]" : "");
                table.AddRow(cells.ToArray());
            }

            output.Console.Write(table);
            if (files is { } written)
            {
                output.Line("wrote " + written.Svg);
                output.Line("wrote " + written.Png);
            }

            return 0;
        });
        return command;
    }

    private static KeyValuePair<string, string[]> ParseAxis(string text)
    {
        var pair = OptionBinder.ParsePair(text);
        var values = pair.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (values.Length == 0)
        {
            throw new OptionBindingException(pair.Key, pair.Value, $"--param '{text}' has no values; write OPTION=V1,V2,…");
        }

        return new KeyValuePair<string, string[]>(pair.Key, values);
    }

    private static List<KeyValuePair<string, string>[]> Combine(IReadOnlyList<KeyValuePair<string, string[]>> axes)
    {
        var combinations = new List<KeyValuePair<string, string>[]> { Array.Empty<KeyValuePair<string, string>>() };
        foreach (var axis in axes)
        {
            combinations = combinations
                .SelectMany(prefix => axis.Value.Select(v => prefix.Append(new KeyValuePair<string, string>(axis.Key, v)).ToArray()))
                .ToList();
        }

        return combinations;
    }

    private static (string Svg, string Png) DrawChart(string chartBase, string strategy, IReadOnlyList<SweepRow> rows)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(chartBase))!;
        string name = Path.GetFileNameWithoutExtension(chartBase);
        Directory.CreateDirectory(directory);
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var dominated = rows.Where(r => !r.Pareto).ToArray();
        var front = rows.Where(r => r.Pareto).OrderBy(r => r.PeakRssBytes).ToArray();
        if (dominated.Length > 0)
        {
            var points = plot.Add.ScatterPoints(dominated.Select(r => (double)r.PeakRssBytes).ToArray(), dominated.Select(r => (double)r.Syscalls).ToArray(), palette.GetColor(7));
            points.LegendText = "dominated";
            points.MarkerSize = 9;
        }

        var best = plot.Add.Scatter(front.Select(r => (double)r.PeakRssBytes).ToArray(), front.Select(r => (double)r.Syscalls).ToArray(), palette.GetColor(3));
        best.LegendText = "Pareto-optimal (peak RSS, syscalls, time)";
        best.MarkerSize = 11;
        foreach (var row in front)
        {
            var label = plot.Add.Text(string.Join(" ", row.Options.Select(o => o.Key + "=" + o.Value)), row.PeakRssBytes, row.Syscalls);
            label.LabelFontSize = 10;
            label.OffsetY = -8;
        }

        plot.Title($"{strategy}: peak RSS against system calls");
        plot.XLabel("peak RSS (bytes)");
        plot.YLabel("system calls");
        plot.ShowLegend(Alignment.UpperRight);
        return Charts.Save(plot, directory, name);
    }
}
