// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Allocators.Workloads;

/// <summary>
/// Seeded, deterministic trace generators after the mimalloc-bench workloads (docs/workloads.md). The same name,
/// seed and scale always give the same trace. Addresses come from a synthetic address space (unique, 16-byte
/// aligned, never reused); every free refers to a live block; multi-threaded workloads interleave several tids.
/// </summary>
public static class WorkloadGenerator
{
    private static readonly (WorkloadInfo Info, Action<GeneratorContext> Run)[] s_workloads =
    [
        (new WorkloadInfo("glibc-simple", GlibcSimpleWorkload.Description, 2), GlibcSimpleWorkload.Run),
        (new WorkloadInfo("glibc-thread", GlibcThreadWorkload.Description, GlibcThreadWorkload.Threads), GlibcThreadWorkload.Run),
        (new WorkloadInfo("larson", LarsonWorkload.Description, 1 + (3 * LarsonWorkload.Threads)), LarsonWorkload.Run),
        (new WorkloadInfo("xmalloc", XmallocWorkload.Description, 2 * XmallocWorkload.Producers), XmallocWorkload.Run),
        (new WorkloadInfo("mstress", MstressWorkload.Description, MstressWorkload.Threads), MstressWorkload.Run),
        (new WorkloadInfo("alloc-test", AllocTestWorkload.Description, AllocTestWorkload.Threads), AllocTestWorkload.Run),
        (new WorkloadInfo("malloc-large", MallocLargeWorkload.Description, 1), MallocLargeWorkload.Run),
        (new WorkloadInfo("sh6bench", Sh6benchWorkload.Description, Sh6benchWorkload.Threads), Sh6benchWorkload.Run),
    ];

    /// <summary>Gets the workloads, in a stable order.</summary>
    public static IReadOnlyList<WorkloadInfo> Workloads { get; } = s_workloads.Select(w => w.Info).ToArray();

    /// <summary>Writes the trace of workload <paramref name="name"/> to <paramref name="sink"/>; returns the number of calls.</summary>
    /// <param name="name">A name from <see cref="Workloads"/> (case-insensitive).</param>
    /// <param name="seed">The seed; the same seed gives the same trace.</param>
    /// <param name="scale">The size knob: 1 is the default size (tens to hundreds of thousands of calls), 0.01 a quick run.</param>
    /// <param name="sink">Where the calls go.</param>
    /// <exception cref="ArgumentException">Unknown name, or a scale that is not positive and finite.</exception>
    public static long Generate(string name, ulong seed, double scale, ITraceSink sink)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(sink);
        if (!double.IsFinite(scale) || scale <= 0)
        {
            throw new ArgumentException($"The scale must be a positive number, but is {scale}.", nameof(scale));
        }

        Action<GeneratorContext> run = Find(name);
        var context = new GeneratorContext(sink, seed, scale);
        run(context);
        sink.Flush();
        return context.Calls;
    }

    /// <summary>Writes the trace as text to <paramref name="writer"/>; returns the number of calls.</summary>
    public static long Generate(string name, ulong seed, double scale, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        using var sink = new TraceWriter(writer, leaveOpen: true);
        return Generate(name, seed, scale, sink);
    }

    /// <summary>Writes the trace to a file (encoding and compression from its name, see <see cref="TraceFile"/>); returns the number of calls.</summary>
    public static long GenerateToFile(string name, ulong seed, double scale, string path)
    {
        Find(name);
        using ITraceSink sink = TraceFile.Create(path);
        return Generate(name, seed, scale, sink);
    }

    private static Action<GeneratorContext> Find(string name)
    {
        foreach ((WorkloadInfo info, Action<GeneratorContext> run) in s_workloads)
        {
            if (string.Equals(info.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return run;
            }
        }

        throw new ArgumentException(
            $"Unknown workload '{name}'. Known: {string.Join(", ", s_workloads.Select(w => w.Info.Name))}.", nameof(name));
    }
}
