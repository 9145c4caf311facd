// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Globalization;
using System.IO;
using Allocators.Benchmarks.Engine;
using Allocators.Benchmarks.Reporting;
using BenchmarkDotNet.Running;

namespace Allocators.Benchmarks;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project benchmarks/Allocators.Benchmarks -- --filter '*'</c>
/// (any BenchmarkDotNet switch: <c>--list flat</c>, <c>--job short</c>, <c>--filter '*Trace*'</c>, ...).
/// <c>-- write-trace PATH CALLS</c> writes the replay-engine trace for an end-to-end <c>allocators replay</c> run
/// (<c>-- write-trace-cached CALLS</c>: into the benchmark's cache directory, printing the path);
/// <c>-- profile-glibc TRACE [RUNS] [sim|native|both|e2e]</c> times the glibc strategy against the real glibc on one trace;
/// <c>-- summarize DIR</c> prints the headline table of the JSON reports in DIR.
/// </summary>
public static class Program
{
    /// <summary>Runs the benchmarks selected on the command line.</summary>
    public static int Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length > 0 && args[0] == "write-trace")
        {
            return WriteTrace(args);
        }

        if (args.Length == 2 && args[0] == "write-trace-cached"
            && long.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out long cachedCalls))
        {
            Console.WriteLine(ReplayTraceGenerator.WriteCached(ReplayEngineBenchmarks.WorkDirectory, cachedCalls));
            return 0;
        }

        if (args.Length > 0 && args[0] == "profile-glibc")
        {
            return Profiling.GlibcProfiler.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "summarize")
        {
            if (args.Length != 2 || !Directory.Exists(args[1]))
            {
                Console.Error.WriteLine("usage: summarize DIRECTORY   (a directory of BenchmarkDotNet *-report-brief.json files)");
                return 2;
            }

            Console.Write(ResultsSummary.Summarize(args[1]));
            return 0;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, BenchmarkConfig.Create());
        return 0;
    }

    private static int WriteTrace(string[] args)
    {
        if (args.Length != 3 || !long.TryParse(args[2], NumberStyles.None, CultureInfo.InvariantCulture, out long calls))
        {
            Console.Error.WriteLine("usage: write-trace PATH CALLS   (CALLS: a non-negative integer)");
            return 2;
        }

        ReplayTraceGenerator.Write(args[1], calls);
        Console.WriteLine($"wrote {calls} calls to {args[1]}");
        return 0;
    }
}
