// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Allocators.Strategies;
using Allocators.Workloads;

namespace Allocators.Cli.Services;

/// <summary>Replays a trace through a named strategy (options bound by the catalog) with the workloads replayer.</summary>
internal static class ReplayService
{
    /// <summary>Replays <paramref name="tracePath"/> through <paramref name="strategy"/>.</summary>
    /// <param name="tracePath">The trace.</param>
    /// <param name="strategy">The strategy name.</param>
    /// <param name="options"><c>KEY=VALUE</c> options for the strategy.</param>
    /// <param name="outputPath">Where to write the simulated trace (null = nowhere); written whole or not at all.</param>
    /// <param name="drain">Free everything still live at the end.</param>
    /// <param name="skipUnknown">Skip calls on unknown pointers instead of failing.</param>
    /// <param name="progress">Told the number of calls replayed so far.</param>
    /// <param name="touch">Touch every page of each allocated block, as the program would (RSS of a program that uses its memory).</param>
    public static StrategyReport Replay(
        string tracePath,
        string strategy,
        IReadOnlyList<KeyValuePair<string, string>> options,
        string? outputPath,
        bool drain,
        bool skipUnknown,
        Action<long>? progress = null,
        bool touch = true) =>
        ReplayWithSamples(tracePath, strategy, options, outputPath, drain, skipUnknown, 0, progress, touch).Report;

    /// <summary>As <see cref="Replay"/>, sampling the statistics every <paramref name="sampleInterval"/> calls (0 = only at the end).</summary>
    public static (StrategyReport Report, ReplayResult Result) ReplayWithSamples(
        string tracePath,
        string strategy,
        IReadOnlyList<KeyValuePair<string, string>> options,
        string? outputPath,
        bool drain,
        bool skipUnknown,
        long sampleInterval,
        Action<long>? progress = null,
        bool touch = true)
    {
        RequireFile(tracePath);

        // Bind and validate the options before reading the trace, so a bad option fails fast and clearly.
        using (var probe = new Os.SimulatedOs())
        {
            _ = AllocatorCatalog.Create(strategy, probe, options);
        }

        var replayOptions = new ReplayOptions
        {
            Drain = drain,
            SkipUnknown = skipUnknown,
            Progress = progress,
            SampleInterval = sampleInterval,
            TouchAllocatedMemory = touch,
        };
        string? temporary = null;
        ITraceSink? sink = null;
        try
        {
            if (outputPath is not null)
            {
                temporary = outputPath + ".partial";
                var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
                sink = TraceFile.Create(stream, TraceFile.FormatFromPath(outputPath), TraceFile.CompressionFromPath(outputPath));
                replayOptions.Output = sink;
            }

            var replayer = new Replayer(os => AllocatorCatalog.Create(strategy, os, options), replayOptions);
            var result = replayer.Replay(tracePath);
            if (sink is not null)
            {
                sink.Dispose();
                sink = null;
                File.Move(temporary!, outputPath!, overwrite: true);
                temporary = null;
            }

            return (StrategyReport.From(tracePath, result, outputPath), result);
        }
        finally
        {
            sink?.Dispose();
            if (temporary is not null)
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>Parses <c>KEY=VALUE</c> texts.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ParseOptions(IEnumerable<string>? texts) =>
        (texts ?? []).Select(OptionBinder.ParsePair).ToArray();

    /// <summary>Splits a comma-separated strategy list, checking every name.</summary>
    public static IReadOnlyList<string> ParseStrategies(string? list)
    {
        if (string.IsNullOrWhiteSpace(list))
        {
            return AllocatorCatalog.Names.Where(AllocatorCatalog.IsAvailable).ToArray();
        }

        var names = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (string name in names)
        {
            if (!AllocatorCatalog.Names.Contains(name.ToLowerInvariant(), StringComparer.Ordinal))
            {
                throw new ArgumentException($"unknown strategy '{name}'; strategies: {string.Join(", ", AllocatorCatalog.Names)}");
            }
        }

        return names.Select(n => n.ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Throws <see cref="FileNotFoundException"/> naming the path when it does not exist.</summary>
    public static void RequireFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"trace '{path}' does not exist", path);
        }
    }

    /// <summary>Counts the calls of a trace (for the progress bar's total).</summary>
    public static long CountCalls(string path)
    {
        using var reader = TraceReader.Open(path);
        long calls = 0;
        foreach (var unused in reader.ReadCalls())
        {
            calls++;
        }

        return calls;
    }
}
