// Copyright (c) Allocators contributors. MIT License.

using System;
using System.CommandLine;
using System.Globalization;
using System.Linq;
using Allocators.Cli.Reports;
using Allocators.Cli.Services;
using Allocators.Workloads.Reports;

namespace Allocators.Cli.Commands;

/// <summary>
/// <c>allocators heapmap TRACE --strategy NAME --at CALL [--svg FILE] [--png FILE] [--option KEY=VALUE]… [--json]</c>:
/// the heap at call N, drawn from the strategy's own heap walk.
/// </summary>
internal static class HeapMapCommand
{
    public static Command Create(CliOutput output)
    {
        var trace = new Argument<string>("trace") { Description = "The trace." };
        var strategy = new Option<string>("--strategy", "-s") { Description = "glibc, buddy, slab or mmap.", Required = true };
        var at = new Option<long>("--at") { Description = "Walk the heap after this many calls (default: the end of the trace).", DefaultValueFactory = _ => long.MaxValue };
        var svg = new Option<string?>("--svg") { Description = "Write the map as SVG." };
        var png = new Option<string?>("--png") { Description = "Write the map as PNG." };
        var options = CommonOptions.StrategyOptions();
        var skipUnknown = new Option<bool>("--skip-unknown") { Description = "Skip calls on pointers the trace never returned." };
        var json = CommonOptions.Json();
        var command = new Command("heapmap", "Draw the heap at a call: every block a box sized by its bytes, coloured by state.")
        {
            trace, strategy, at, svg, png, options, skipUnknown, json,
        };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(trace)!;
            ReplayService.RequireFile(path);
            long call = parse.GetValue(at);
            if (call < 0)
            {
                throw new ArgumentException($"--at must be a call index of 0 or more; got {call}");
            }

            string? svgPath = parse.GetValue(svg);
            string? pngPath = parse.GetValue(png);
            bool asJson = parse.GetValue(json);
            if (svgPath is null && pngPath is null && !asJson)
            {
                throw new ArgumentException("give --svg FILE and/or --png FILE (or --json for the blocks)");
            }

            var snapshot = HeapSnapshots.Capture(path, parse.GetValue(strategy)!, ReplayService.ParseOptions(parse.GetValue(options)), call, parse.GetValue(skipUnknown));
            int boxes = svgPath is null && pngPath is null ? 0 : HeapMapChart.Write(snapshot, svgPath, pngPath);
            if (asJson)
            {
                output.WriteJson(new
                {
                    strategy = snapshot.Strategy,
                    call = snapshot.Call,
                    initialBreak = Hex(snapshot.InitialBreak),
                    @break = Hex(snapshot.Break),
                    regions = snapshot.Regions.Count,
                    blocks = snapshot.Blocks.Select(b => new { address = Hex(b.Address), size = b.Size, kind = b.Kind.ToString(), detail = b.Detail }).ToArray(),
                    svg = svgPath,
                    png = pngPath,
                });
            }
            else
            {
                output.Line(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{snapshot.Strategy} heap at call {snapshot.Call:N0}: {snapshot.Blocks.Count:N0} blocks in {snapshot.Regions.Count:N0} regions; {boxes:N0} boxes drawn"));
                foreach (string? file in new[] { svgPath, pngPath })
                {
                    if (file is not null)
                    {
                        output.Line("wrote " + file);
                    }
                }
            }

            return 0;
        });
        return command;
    }

    private static string Hex(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);
}
