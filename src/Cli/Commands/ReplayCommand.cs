// Copyright (c) Allocators contributors. MIT License.

using System.CommandLine;
using Allocators.Cli.Services;

namespace Allocators.Cli.Commands;

/// <summary>
/// <c>allocators replay TRACE --strategy NAME [--option KEY=VALUE]… [--output SIMTRACE] [--drain] [--skip-unknown] [--no-touch] [--json]</c>.
/// </summary>
internal static class ReplayCommand
{
    public static Command Create(CliOutput output)
    {
        var trace = new Argument<string>("trace") { Description = "The trace to replay (.trace, binary, .gz, .zst)." };
        var strategy = new Option<string>("--strategy", "-s") { Description = "glibc, buddy, slab or mmap.", Required = true };
        var options = CommonOptions.StrategyOptions();
        var simTrace = new Option<string?>("--output", "-o") { Description = "Write the simulated trace here (same format; # heap-start, # brk, # usable=, # hdr=)." };
        var drain = new Option<bool>("--drain") { Description = "Free every block still live at the end." };
        var skipUnknown = new Option<bool>("--skip-unknown") { Description = "Skip calls on pointers the trace never returned instead of failing." };
        var noTouch = CommonOptions.NoTouch();
        var json = CommonOptions.Json();
        var command = new Command("replay", "Replay a trace through one strategy on a simulated process.")
        {
            trace, strategy, options, simTrace, drain, skipUnknown, noTouch, json,
        };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(trace)!;
            string name = parse.GetValue(strategy)!;
            var pairs = ReplayService.ParseOptions(parse.GetValue(options));
            ReplayService.RequireFile(path);
            bool touch = !parse.GetValue(noTouch);
            ReplayWarmUp? warmUp = ReplayWarmUp.For(path, name, pairs, touch);
            var report = output.WithCallProgress(
                $"replay {name}",
                path,
                progress => ReplayService.Replay(
                    path, name, pairs, parse.GetValue(simTrace), parse.GetValue(drain), parse.GetValue(skipUnknown), warmUp?.StartOnProgress(progress) ?? progress, touch));
            if (parse.GetValue(json))
            {
                output.WriteJson(report);
            }
            else
            {
                ReportTable.Write(output.Console, [report]);
            }

            return 0;
        });
        return command;
    }
}
