// Copyright (c) Allocators contributors. MIT License.

using System.CommandLine;
using System.Globalization;
using System.Linq;
using Allocators.Workloads;

namespace Allocators.Cli.Commands;

/// <summary>
/// <c>allocators record --output FILE [--discard-output] -- PROGRAM ARGS…</c>: runs a program under the LD_PRELOAD
/// recorder (built with the machine's C compiler on first use) and writes its allocation trace.
/// </summary>
internal static class RecordCommand
{
    public static Command Create(CliOutput output)
    {
        var file = new Option<string>("--output", "-o") { Description = "Where to write the trace.", Required = true };
        var discard = new Option<bool>("--discard-output") { Description = "Discard the program's own standard output and error." };
        var json = CommonOptions.Json();
        var program = new Argument<string[]>("program")
        {
            Description = "The program and its arguments (after --).",
            Arity = ArgumentArity.OneOrMore,
        };
        var command = new Command("record", "Record every malloc-family call of a program into a trace (needs a C compiler).")
        {
            file, discard, json, program,
        };
        command.SetAction(parse =>
        {
            var words = parse.GetValue(program)!;
            var recorder = new Recorder(new RecorderOptions { DiscardOutput = parse.GetValue(discard) });
            var result = recorder.Record(parse.GetValue(file)!, words[0], words.Skip(1));
            if (parse.GetValue(json))
            {
                output.WriteJson(result);
            }
            else
            {
                output.Line(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{result.TracePath}: {result.Calls:N0} calls recorded; {words[0]} exited with {result.ExitCode}"));
                foreach (string child in result.ChildTracePaths)
                {
                    output.Line("child process trace: " + child);
                }

                foreach (string incomplete in result.IncompleteTracePaths)
                {
                    output.Line("incomplete trace (the process did not finish normally): " + incomplete);
                }
            }

            return 0;
        });
        return command;
    }
}
