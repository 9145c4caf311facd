// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.Linq;
using Allocators.Workloads.Scenarios;
using Spectre.Console;

namespace Allocators.Cli.Commands;

/// <summary>
/// <c>allocators scenarios [NAME…] [--log] [--json] [--strategies] [--no-real]</c>: the seed note's claims on the
/// glibc strategy and on the real glibc, side by side, with the verdicts.
/// </summary>
internal static class ScenariosCommand
{
    public static Command Create(CliOutput output)
    {
        var names = new Argument<string[]>("name")
        {
            Description = "Scenario names (default: all). " + string.Join(", ", ScenarioEngine.Scenarios.Select(s => s.Name)),
            Arity = ArgumentArity.ZeroOrMore,
        };
        var log = new Option<bool>("--log") { Description = "Show the strace-like log of the simulated run." };
        var strategies = new Option<bool>("--strategies") { Description = "Add the same requests on every strategy (syscalls, VSZ, RSS)." };
        var noReal = new Option<bool>("--no-real") { Description = "Skip the real glibc (the oracle)." };
        var list = new Option<bool>("--list") { Description = "List the scenarios and their claims." };
        var json = CommonOptions.Json();
        var command = new Command("scenarios", "Check the seed note's claims on the simulation and on the real glibc, side by side.")
        {
            names, log, strategies, noReal, list, json,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(list))
            {
                return PrintList(output, parse.GetValue(json));
            }

            var engine = new ScenarioEngine(useRealGlibc: !parse.GetValue(noReal));
            var requested = parse.GetValue(names) ?? [];
            var results = output.WithProgress("scenarios", progress => engine.Run(requested, parse.GetValue(strategies), progress));
            if (parse.GetValue(json))
            {
                output.WriteJson(results.Select(ToJson).ToArray());
            }
            else
            {
                Print(output, results, parse.GetValue(log));
            }

            return results.Any(r => r.Holds == false || r.HoldsOnRealGlibc == false) ? 1 : 0;
        });
        return command;
    }

    private static int PrintList(CliOutput output, bool json)
    {
        if (json)
        {
            output.WriteJson(ScenarioEngine.Scenarios);
            return 0;
        }

        var table = new Table().AddColumn("scenario").AddColumn("claim");
        foreach (var s in ScenarioEngine.Scenarios)
        {
            table.AddRow(Markup.Escape(s.Name), Markup.Escape(s.Claim));
        }

        output.Console.Write(table);
        return 0;
    }

    private static Dictionary<string, object?> ToJson(ScenarioResult r)
    {
        var json = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["name"] = r.Name,
            ["claim"] = r.Claim,
            ["holds"] = r.Holds,
            ["holdsOnRealGlibc"] = r.HoldsOnRealGlibc,
            ["numbers"] = r.Numbers,
        };
        if (r.Reason is not null)
        {
            json["reason"] = r.Reason;
        }

        if (r.SeedNote is not null)
        {
            json["seedNote"] = r.SeedNote;
        }

        json["log"] = r.Log;
        json["realLog"] = r.RealLog;
        if (r.Strategies is not null)
        {
            json["strategies"] = r.Strategies;
        }

        return json;
    }

    private static void Print(CliOutput output, IReadOnlyList<ScenarioResult> results, bool showLog)
    {
        var console = output.Console;
        foreach (var r in results)
        {
            console.Write(new Rule($"[bold]{Markup.Escape(r.Name)}[/]").LeftJustified());
            console.MarkupLine("[bold]claim:[/] " + Markup.Escape(r.Claim));
            if (r.SeedNote is not null)
            {
                console.MarkupLine("[bold]seed note:[/] " + Markup.Escape(r.SeedNote));
            }

            var sim = r.Numbers.GetValueOrDefault("simulation");
            var real = r.Numbers.GetValueOrDefault("realGlibc");
            var keys = (sim?.Keys ?? []).Concat(real?.Keys ?? []).Distinct(StringComparer.Ordinal).ToArray();
            if (keys.Length > 0)
            {
                var table = new Table().AddColumn("number").AddColumn(new TableColumn("simulation (glibc strategy)").RightAligned()).AddColumn(new TableColumn("real glibc").RightAligned());
                foreach (string key in keys)
                {
                    string simText = Format(key, sim);
                    string realText = Format(key, real);
                    bool differ = sim is not null && real is not null && sim.ContainsKey(key) && real.ContainsKey(key) && simText != realText;
                    table.AddRow(Markup.Escape(key), Markup.Escape(simText), differ ? $"[red]{Markup.Escape(realText)} (differs)[/]" : Markup.Escape(realText));
                }

                console.Write(table);
            }

            console.MarkupLine($"[bold]verdict:[/] simulation {Verdict(r.Holds)}, real glibc {Verdict(r.HoldsOnRealGlibc)}");
            if (r.Reason is not null)
            {
                console.MarkupLine("  " + Markup.Escape(r.Reason));
            }

            if (showLog && r.Log.Count > 0)
            {
                console.MarkupLine("[bold]log (simulation):[/]");
                foreach (string line in r.Log)
                {
                    console.WriteLine("  " + line);
                }

                if (r.RealLog.Count > 0)
                {
                    console.MarkupLine("[bold]log (real glibc, through the oracle):[/]");
                    foreach (string line in r.RealLog)
                    {
                        console.WriteLine("  " + line);
                    }
                }
            }

            if (r.Strategies is { } rows)
            {
                PrintComparison(console, rows);
            }

            console.WriteLine();
        }

        var summary = new Table().AddColumn("scenario").AddColumn("simulation").AddColumn("real glibc");
        foreach (var r in results)
        {
            summary.AddRow(Markup.Escape(r.Name), Verdict(r.Holds), Verdict(r.HoldsOnRealGlibc));
        }

        console.Write(summary);
    }

    private static void PrintComparison(IAnsiConsole console, IReadOnlyList<StrategyComparisonRow> rows)
    {
        var table = new Table().AddColumn("strategy");
        foreach (string column in new[] { "syscalls", "brk", "mmap", "munmap", "other", "final VSZ", "peak VSZ", "final RSS", "peak RSS" })
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }

        foreach (var row in rows)
        {
            if (!row.Available || row.Error is not null)
            {
                table.AddRow(Markup.Escape(row.Strategy), Markup.Escape(row.Error ?? "not available"), "", "", "", "", "", "", "", "");
                continue;
            }

            table.AddRow(
                row.Strategy,
                Num(row.Syscalls),
                Num(row.Brk),
                Num(row.Mmap),
                Num(row.Munmap),
                Num(row.Other),
                Bytes(row.FinalVszBytes),
                Bytes(row.PeakVszBytes),
                Bytes(row.FinalRssBytes),
                Bytes(row.PeakRssBytes));
        }

        console.Write(table);
    }

    private static string Verdict(bool? holds) => holds switch
    {
        true => "[green]holds[/]",
        false => "[red]DOES NOT HOLD[/]",
        null => "[yellow]not checked[/]",
    };

    private static string Format(string key, IReadOnlyDictionary<string, object?>? numbers)
    {
        if (numbers is null || !numbers.TryGetValue(key, out object? value))
        {
            return "—";
        }

        return NumberFormat.Format(key, value);
    }

    private static string Num(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Bytes(ulong value) => NumberFormat.Bytes(value);
}
