// Copyright (c) Allocators contributors. MIT License.

using System;
using System.CommandLine;
using Allocators.Cli.Commands;

namespace Allocators.Cli;

/// <summary>The command tree of the tool and its error handling (one clear line per error, stack traces only with <c>--verbose</c>).</summary>
internal sealed class CliApp
{
    private readonly RootCommand _root;
    private readonly CliOutput _output;

    private readonly Option<bool> _verbose;

    private CliApp(RootCommand root, Option<bool> verbose, CliOutput output)
    {
        _root = root;
        _verbose = verbose;
        _output = output;
    }

    /// <summary>Builds the command tree writing to <paramref name="output"/>.</summary>
    public static CliApp Build(CliOutput output)
    {
        // Symbols are created per tree: a symbol remembers its parents, so trees built concurrently share none.
        var verbose = new Option<bool>("--verbose")
        {
            Description = "Print full error details (stack traces).",
            Recursive = true,
        };
        var root = new RootCommand("allocators: pluggable memory allocators on a simulated Linux process — replay traces, compare strategies, check the seed's claims.")
        {
            verbose,
        };
        root.Add(ReplayCommand.Create(output));
        root.Add(CompareCommand.Create(output));
        root.Add(VerifyCommand.Create(output));
        root.Add(WorkloadCommand.Create(output));
        root.Add(RecordCommand.Create(output));
        root.Add(ConvertCommand.Create(output));
        root.Add(HeapMapCommand.Create(output));
        root.Add(SweepCommand.Create(output));
        root.Add(ScenariosCommand.Create(output));
        root.Add(StrategiesCommand.Create(output));
        return new CliApp(root, verbose, output);
    }

    /// <summary>Parses and runs <paramref name="args"/>.</summary>
    /// <returns>The exit code.</returns>
    public int Run(string[] args)
    {
        var parse = _root.Parse(args);
        var configuration = new InvocationConfiguration
        {
            Output = _output.Out,
            Error = _output.Error,
            EnableDefaultExceptionHandler = false,
        };
        try
        {
            return parse.Invoke(configuration);
        }
#pragma warning disable CA1031 // The tool's top level turns every failure into one clear line and a non-zero exit.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            bool verbose = parse.Errors.Count == 0 && parse.GetValue(_verbose);
            return ErrorReporter.Report(_output.Error, ex, verbose);
        }
        finally
        {
            _output.Out.Flush();
            _output.Error.Flush();
        }
    }
}
