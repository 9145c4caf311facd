// Copyright (c) Allocators contributors. MIT License.

using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using Allocators.Workloads;
using Spectre.Console;

namespace Allocators.Cli.Commands;

/// <summary>
/// <c>allocators workload NAME [--seed N] [--scale X] --output TRACE</c> and <c>allocators workload --list</c>:
/// the seeded, deterministic mimalloc-bench-style trace generators.
/// </summary>
internal static class WorkloadCommand
{
    public static Command Create(CliOutput output)
    {
        var name = new Argument<string?>("name")
        {
            Description = "The workload: " + string.Join(", ", WorkloadGenerator.Workloads.Select(w => w.Name)),
            Arity = ArgumentArity.ZeroOrOne,
        };
        var seed = new Option<ulong>("--seed") { Description = "The random seed (same seed, same trace).", DefaultValueFactory = _ => 1 };
        var scale = new Option<double>("--scale") { Description = "Size knob: 1 = default size, 0.01 = a quick run.", DefaultValueFactory = _ => 1.0 };
        var file = new Option<string?>("--output", "-o") { Description = "Where to write the trace (extension picks text/binary and compression)." };
        var list = new Option<bool>("--list") { Description = "List the workloads." };
        var json = CommonOptions.Json();
        var command = new Command("workload", "Generate a synthetic workload trace (seeded and deterministic).")
        {
            name, seed, scale, file, list, json,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(list))
            {
                if (parse.GetValue(json))
                {
                    output.WriteJson(WorkloadGenerator.Workloads);
                    return 0;
                }

                var table = new Table().AddColumn("workload").AddColumn("threads").AddColumn("description");
                foreach (var w in WorkloadGenerator.Workloads)
                {
                    table.AddRow(Markup.Escape(w.Name), w.Threads.ToString(CultureInfo.InvariantCulture), Markup.Escape(w.Description));
                }

                output.Console.Write(table);
                return 0;
            }

            string workload = parse.GetValue(name)
                ?? throw new ArgumentException("a workload name is required (see allocators workload --list)");
            string path = parse.GetValue(file)
                ?? throw new ArgumentException("--output TRACE is required");
            long calls = Generate(workload, parse.GetValue(seed), parse.GetValue(scale), path);
            if (parse.GetValue(json))
            {
                output.WriteJson(new { workload, seed = parse.GetValue(seed), scale = parse.GetValue(scale), output = path, calls });
            }
            else
            {
                output.Line(string.Create(CultureInfo.InvariantCulture, $"{path}: {calls:N0} calls of {workload} (seed {parse.GetValue(seed)}, scale {parse.GetValue(scale)})"));
            }

            return 0;
        });
        return command;
    }

    /// <summary>Writes the trace whole or not at all (a temporary file renamed at the end).</summary>
    private static long Generate(string workload, ulong seed, double scale, string path)
    {
        string temporary = path + ".partial";
        try
        {
            long calls;
            var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
            using (var sink = TraceFile.Create(stream, TraceFile.FormatFromPath(path), TraceFile.CompressionFromPath(path)))
            {
                calls = WorkloadGenerator.Generate(workload, seed, scale, sink);
            }

            File.Move(temporary, path, overwrite: true);
            return calls;
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
