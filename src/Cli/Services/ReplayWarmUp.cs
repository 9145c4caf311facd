// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Allocators.Cli.Commands;
using Allocators.Strategies;
using Allocators.Workloads;
using Spectre.Console;

namespace Allocators.Cli.Services;

/// <summary>
/// Compiles the code that ends a long replay while the replay runs: once the replay is under way (its first progress
/// report), a background task replays a small synthetic trace through the same strategy on its own simulated process
/// and renders its report to nowhere. The statistics and heap walk, the report and the table are then compiled on
/// the second core (where the parse thread leaves room) instead of on the main thread after the last call.
/// </summary>
/// <remarks>
/// Nothing is shared with the real replay but compiled code: its own process, allocator and console; any failure is
/// ignored (the real replay reports its own). Started only after the replay's own start-up, so it never competes
/// with it, and only for traces that take long enough to hide the work.
/// </remarks>
internal sealed class ReplayWarmUp
{
    /// <summary>Traces smaller than this replay too quickly for a warm-up to pay off.</summary>
    public const long MinimumTraceBytes = 16L << 20;

    private readonly string _strategy;
    private readonly IReadOnlyList<KeyValuePair<string, string>> _options;
    private readonly bool _touch;
    private int _started;

    private ReplayWarmUp(string strategy, IReadOnlyList<KeyValuePair<string, string>> options, bool touch)
    {
        _strategy = strategy;
        _options = options;
        _touch = touch;
    }

    /// <summary>Creates a warm-up for a replay of <paramref name="tracePath"/>, or null when the trace is too small to need one.</summary>
    public static ReplayWarmUp? For(string tracePath, string strategy, IReadOnlyList<KeyValuePair<string, string>> options, bool touch)
    {
        try
        {
            if (Environment.ProcessorCount < 2 || !File.Exists(tracePath) || new FileInfo(tracePath).Length < MinimumTraceBytes)
            {
                return null;
            }
        }
        catch (IOException)
        {
            return null;
        }

        return new ReplayWarmUp(strategy, options, touch);
    }

    /// <summary>Wraps a progress callback (null = none) so that the first report starts the warm-up.</summary>
    public Action<long> StartOnProgress(Action<long>? progress) => calls =>
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _ = Task.Run(() => TryRun(_strategy, _options, _touch));
        }

        progress?.Invoke(calls);
    };

    /// <summary>Replays the synthetic trace and renders its report to nowhere; false when anything failed.</summary>
    internal static bool TryRun(string strategy, IReadOnlyList<KeyValuePair<string, string>> options, bool touch)
    {
        try
        {
            ReplayResult result = ReplaySynthetic(strategy, options, touch);
            var console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
                Out = new AnsiConsoleOutput(TextWriter.Null),
            });
            ReportTable.Write(console, [StrategyReport.From("warm-up", result, null)]);
            return result.Calls > 0 && result.SkippedCalls == 0;
        }
#pragma warning disable CA1031 // A warm-up that fails costs nothing but the time it saved; the real replay reports real errors.
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    /// <summary>Replays the synthetic trace through <paramref name="strategy"/> on its own simulated process (throws what the replay throws).</summary>
    internal static ReplayResult ReplaySynthetic(string strategy, IReadOnlyList<KeyValuePair<string, string>> options, bool touch)
    {
        var replayOptions = new ReplayOptions { TouchAllocatedMemory = touch, ParallelParse = false, Drain = true };
        using var reader = new TraceReader(new MemoryStream(SyntheticTrace()), "warm-up");
        return new Replayer(os => AllocatorCatalog.Create(strategy, os, options), replayOptions).Replay(reader);
    }

    /// <summary>A few thousand calls of every kind and of every size class (small, large, mmapped); little stays live.</summary>
    private static byte[] SyntheticTrace()
    {
        var text = new StringBuilder("# heap-start 0x555555559000\n");
        ulong[] sizes = [24, 100, 600, 3000, 20_000, 200_000];
        const int Rounds = 400;
        ulong next = 0x7f0000000000;
        for (int round = 0; round < Rounds; round++)
        {
            ulong size = sizes[round % sizes.Length] + (ulong)round;
            ulong a = next += 0x10;
            ulong b = next += 0x10;
            ulong c = next += 0x10;
            ulong d = next += 0x10;
            text.Append("1 m ").Append(size).Append(" 0x").Append(a.ToString("x", System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
            text.Append("1 c 3 ").Append(size / 3).Append(" 0x").Append(b.ToString("x", System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
            text.Append("1 a 64 ").Append(size).Append(" 0x").Append(c.ToString("x", System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
            text.Append("1 r 0x").Append(a.ToString("x", System.Globalization.CultureInfo.InvariantCulture)).Append(' ').Append((size * 3 / 2) + 16)
                .Append(" 0x").Append(d.ToString("x", System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
            text.Append("1 f 0x").Append(b.ToString("x", System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
            text.Append("1 f 0x").Append(c.ToString("x", System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
            if (round % 50 != 0)
            {
                text.Append("1 f 0x").Append(d.ToString("x", System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }
}
