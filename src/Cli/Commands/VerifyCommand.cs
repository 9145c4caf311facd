// Copyright (c) Allocators contributors. MIT License.

using System.CommandLine;
using System.Globalization;
using Allocators.Cli.Services;
using Allocators.Strategies;
using Allocators.Workloads;
using Spectre.Console;

namespace Allocators.Cli.Commands;

/// <summary>
/// <c>allocators verify TRACE [--option KEY=VALUE]… [--context N] [--json]</c>: replays a recorded trace with the glibc
/// strategy, holding every result, break and chunk size word against the recorded ones; exit 0 only when exact.
/// </summary>
internal static class VerifyCommand
{
    /// <summary>The exit code when the replay diverges from the recording.</summary>
    public const int DivergedExitCode = 2;

    public static Command Create(CliOutput output)
    {
        var trace = new Argument<string>("trace") { Description = "A trace recorded on the real glibc (with # heap-start)." };
        var options = CommonOptions.StrategyOptions();
        var context = new Option<int>("--context") { Description = "Calls of context shown around the first divergence.", DefaultValueFactory = _ => 3 };
        var json = CommonOptions.Json();
        var command = new Command("verify", "Replay a recorded trace with the glibc strategy and check every result, brk and chunk size against the recording.")
        {
            trace, options, context, json,
        };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(trace)!;
            var pairs = ReplayService.ParseOptions(parse.GetValue(options));
            ReplayService.RequireFile(path);
            var verifyOptions = new VerifyOptions { ContextCalls = parse.GetValue(context) };
            var result = output.WithCallProgress("verify glibc", path, progress =>
            {
                verifyOptions.Progress = progress;
                return new TraceVerifier(os => AllocatorCatalog.Create("glibc", os, pairs), verifyOptions).Verify(path);
            });
            if (parse.GetValue(json))
            {
                output.WriteJson(new
                {
                    trace = path,
                    strategy = result.Strategy,
                    exact = result.IsExact,
                    calls = result.Calls,
                    callsMatched = result.CallsMatched,
                    heapStart = "0x" + result.HeapStart.ToString("x", CultureInfo.InvariantCulture),
                    firstDivergence = result.FirstDivergence,
                });
            }
            else
            {
                Print(output, path, result);
            }

            return result.IsExact ? 0 : DivergedExitCode;
        });
        return command;
    }

    private static void Print(CliOutput output, string path, VerificationResult result)
    {
        var console = output.Console;
        string calls = string.Create(CultureInfo.InvariantCulture, $"{result.CallsMatched:N0} of {result.Calls:N0} calls matched");
        if (result.FirstDivergence is not { } d)
        {
            console.MarkupLine($"[green]exact[/]: {Markup.Escape(path)}: {calls} (results, breaks and chunk sizes) on the {Markup.Escape(result.Strategy)} strategy");
            return;
        }

        console.MarkupLine($"[red]diverged[/]: {Markup.Escape(path)}: {calls}");
        console.MarkupLine(Markup.Escape(string.Create(
            CultureInfo.InvariantCulture,
            $"first divergence at call {d.CallIndex:N0} (line {d.Line}), {d.Kind}: {d.Description}")));
        console.MarkupLine("  expected: " + Markup.Escape(d.Expected));
        console.MarkupLine("  actual:   " + Markup.Escape(d.Actual));
        var table = new Table().AddColumn("recorded").AddColumn("simulated");
        int rows = System.Math.Max(d.ExpectedContext.Count, d.ActualContext.Count);
        for (int i = 0; i < rows; i++)
        {
            table.AddRow(
                Markup.Escape(i < d.ExpectedContext.Count ? d.ExpectedContext[i] : string.Empty),
                Markup.Escape(i < d.ActualContext.Count ? d.ActualContext[i] : string.Empty));
        }

        console.Write(table);
    }
}
