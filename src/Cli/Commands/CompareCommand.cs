// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Linq;
using Allocators.Cli.Services;

namespace Allocators.Cli.Commands;

/// <summary><c>allocators compare TRACE [--strategies glibc,buddy,slab,mmap] [--drain] [--skip-unknown] [--json]</c>: side by side.</summary>
internal static class CompareCommand
{
    public static Command Create(CliOutput output)
    {
        var trace = new Argument<string>("trace") { Description = "The trace to replay." };
        var strategies = new Option<string?>("--strategies") { Description = "Comma-separated strategies (default: every available one)." };
        var drain = new Option<bool>("--drain") { Description = "Free every block still live at the end." };
        var skipUnknown = new Option<bool>("--skip-unknown") { Description = "Skip calls on pointers the trace never returned." };
        var report = new Option<string?>("--report") { Description = "Write report.md, report.html and charts (SVG and PNG) into this directory." };
        var noTouch = CommonOptions.NoTouch();
        var json = CommonOptions.Json();
        var command = new Command("compare", "Replay a trace through several strategies and compare them side by side.")
        {
            trace, strategies, drain, skipUnknown, report, noTouch, json,
        };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(trace)!;
            var names = ReplayService.ParseStrategies(parse.GetValue(strategies));
            ReplayService.RequireFile(path);
            string? reportDirectory = parse.GetValue(report);
            long total = output.IsTerminal || reportDirectory is not null ? Math.Max(1, ReplayService.CountCalls(path)) : 1;
            long interval = reportDirectory is null ? 0 : Math.Max(1, total / Reports.CompareReport.TargetSamples);
            var runs = output.WithProgress("compare", fraction =>
            {
                var list = new List<(StrategyReport Report, Workloads.ReplayResult? Result)>(names.Count);
                for (int i = 0; i < names.Count; i++)
                {
                    int done = i;
                    try
                    {
                        list.Add(ReplayService.ReplayWithSamples(
                            path,
                            names[i],
                            [],
                            null,
                            parse.GetValue(drain),
                            parse.GetValue(skipUnknown),
                            interval,
                            calls => fraction((done + ((double)calls / total)) / names.Count),
                            touch: !parse.GetValue(noTouch)));
                    }
                    catch (Exception ex) when (ex is not System.IO.IOException and not Workloads.TraceFormatException and not Workloads.ReplayException)
                    {
                        list.Add((new StrategyReport { Trace = path, Strategy = names[i], Error = $"{ex.GetType().Name}: {ex.Message}" }, null));
                    }

                    fraction((double)(i + 1) / names.Count);
                }

                return list;
            });
            var reports = runs.Select(r => r.Report).ToArray();
            IReadOnlyList<string> files = reportDirectory is null ? [] : Reports.CompareReport.Write(reportDirectory, path, runs);
            if (parse.GetValue(json))
            {
                output.WriteJson(reports);
            }
            else
            {
                ReportTable.Write(output.Console, reports);
                foreach (string file in files)
                {
                    output.Line("wrote " + file);
                }
            }

            return reports.Any(r => r.Error is not null) ? ErrorReporter.ErrorExitCode : 0;
        });
        return command;
    }
}
