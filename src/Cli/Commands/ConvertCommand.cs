// Copyright (c) Allocators contributors. MIT License.

using System.CommandLine;
using System.Globalization;
using System.IO;
using Allocators.Workloads;

namespace Allocators.Cli.Commands;

/// <summary><c>allocators convert IN OUT [--json]</c>: text ↔ binary (and compression) chosen by the file extensions.</summary>
internal static class ConvertCommand
{
    public static Command Create(CliOutput output)
    {
        var input = new Argument<string>("in") { Description = "The trace to read (.trace, binary, .gz, .zst)." };
        var target = new Argument<string>("out") { Description = "The trace to write; its extension picks the format and compression." };
        var json = CommonOptions.Json();
        var command = new Command("convert", "Convert a trace between the text and binary formats (by extension).")
        {
            input, target, json,
        };
        command.SetAction(parse =>
        {
            string from = parse.GetValue(input)!;
            string to = parse.GetValue(target)!;
            if (!File.Exists(from))
            {
                throw new FileNotFoundException($"trace '{from}' does not exist", from);
            }

            long records = TraceConverter.Convert(from, to);
            var summary = new ConvertSummary(from, to, TraceFile.FormatFromPath(to).ToString(), records, new FileInfo(to).Length);
            if (parse.GetValue(json))
            {
                output.WriteJson(summary);
            }
            else
            {
                output.Line(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{from} -> {to}: {records:N0} records, {summary.OutputBytes:N0} bytes ({summary.Format})"));
            }

            return 0;
        });
        return command;
    }
}
