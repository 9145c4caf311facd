// Copyright (c) Allocators contributors. MIT License.

using System;
using System.IO;

namespace Allocators.Cli;

/// <summary>The <c>allocators</c> tool: parses the command line, runs the command, prints the result.</summary>
public static class Program
{
    /// <summary>Process entry point.</summary>
    /// <param name="args">The command line.</param>
    /// <returns>The exit code: 0 on success, non-zero on any error.</returns>
    public static int Main(string[] args)
    {
        // A replay's always-jitted hot paths compile on the second core while the command line is parsed.
        _ = Services.ReplayPreJit.StartFor(args);
        bool terminal = !Console.IsOutputRedirected;
        return Run(args, Console.Out, Console.Error, terminal);
    }

    /// <summary>Runs the tool in-process, writing to the given writers (tests call this).</summary>
    /// <param name="args">The command line.</param>
    /// <param name="stdout">Where results go.</param>
    /// <param name="stderr">Where errors go.</param>
    /// <returns>The exit code: 0 on success, non-zero on any error.</returns>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => Run(args, stdout, stderr, terminal: false);

    private static int Run(string[] args, TextWriter stdout, TextWriter stderr, bool terminal)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var output = new CliOutput(stdout, stderr, terminal);
        return CliApp.Build(output).Run(args);
    }
}
