// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.Diagnostics;
using Allocators.Os;

namespace Allocators.Workloads;

/// <summary>
/// Replays a recorded trace through any strategy on a fresh <see cref="SimulatedOs"/>: recorded results are mapped
/// to simulated ones, so every free and realloc reaches the block the simulated call returned.
/// </summary>
/// <remarks>
/// When the trace has <c># heap-start</c>, the simulated break starts at that address. Each call runs as its
/// thread (<see cref="SimulatedThread.Set"/>; see <see cref="ReplayOptions.RenumberThreads"/>). The trace is
/// streamed in batches, so memory stays flat in the trace length; the replay time excludes parsing.
/// </remarks>
public sealed class Replayer
{
    private const int BatchSize = 8192;
    private const string GlibcStrategy = "glibc";
    private readonly Func<ISimulatedOs, IAllocator> _factory;
    private readonly ReplayOptions _options;

    /// <summary>Creates a replayer.</summary>
    /// <param name="factory">Creates the strategy on the simulated process of each replay.</param>
    /// <param name="options">Options; null = defaults.</param>
    public Replayer(Func<ISimulatedOs, IAllocator> factory, ReplayOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _factory = factory;
        _options = options ?? new ReplayOptions();
    }

    /// <summary>Replays a trace file.</summary>
    /// <exception cref="TraceFormatException">The trace is malformed.</exception>
    /// <exception cref="ReplayException">A call on a pointer that is not live (unless skipped), or the strategy failed.</exception>
    public ReplayResult Replay(string tracePath)
    {
        using TraceReader reader = TraceReader.Open(tracePath);
        return Replay(reader);
    }

    /// <summary>Replays the remaining records of <paramref name="reader"/>.</summary>
    /// <exception cref="TraceFormatException">The trace is malformed.</exception>
    /// <exception cref="ReplayException">A call on a pointer that is not live (unless skipped), or the strategy failed.</exception>
    public ReplayResult Replay(TraceReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var batch = new ReplayBatch(BatchSize);
        int count = batch.Read(reader);
        ulong? heapStart = FindHeapStart(batch.Records.AsSpan(0, count));

        using SimulatedOs os = CreateOs(heapStart, _options.ConfigureOs);
        IAllocator allocator = _factory(os) ?? throw new InvalidOperationException("The allocator factory returned null.");
        var state = new ReplayState(allocator, _options.SkipUnknown, _options.RenumberThreads, _options.TouchAllocatedMemory);
        ITraceSink? output = _options.Output;
        bool headers = _options.WriteHeaders ?? string.Equals(allocator.Name, GlibcStrategy, StringComparison.Ordinal);
        var samples = new List<ReplaySample>();
        long interval = _options.SampleInterval;
        long nextSample = interval > 0 ? interval : long.MaxValue;
        long nextProgress = 1 << 16;
        long elapsed = 0;
        ulong lastBreak = os.CurrentBreak;
        long drained = 0;
        output?.WriteHeapStart(os.InitialBreak);

        // The first batch is resolved here, before the pipeline's thread takes the resolver over for the rest.
        batch.Resolve(state.Resolver);
        int previousThread = SimulatedThread.CurrentId;
        BatchPipeline? pipeline = _options.ParallelParse && Environment.ProcessorCount > 1 && count == BatchSize
            ? new BatchPipeline(reader, state.Resolver, BatchSize)
            : null;
        try
        {
            while (count > 0)
            {
                _options.CancellationToken.ThrowIfCancellationRequested();
                long started = Stopwatch.GetTimestamp();
                ReadOnlySpan<ReplayOp> ops = batch.Ops.AsSpan(0, batch.OpCount);
                ReadOnlySpan<TraceRecord> records = batch.Records.AsSpan(0, batch.RecordCount);
                if (output is null && nextSample == long.MaxValue)
                {
                    // The common case: nothing to write or sample per call.
                    state.ExecuteAll(ops, records);
                }
                else
                {
                    for (int i = 0; i < ops.Length; i++)
                    {
                        ref readonly ReplayOp op = ref ops[i];
                        if (!state.Execute(op, records, out ulong result))
                        {
                            if (op.Flags == ReplayOpFlags.ThreadExit)
                            {
                                output?.WriteThreadExit(records[op.Record].ThreadId);
                            }

                            continue;
                        }

                        if (output is not null)
                        {
                            WriteSimulated(output, records[op.Record].Call, state.LastPointer, result, allocator, os, headers);
                            ulong now = os.CurrentBreak;
                            if (now != lastBreak)
                            {
                                lastBreak = now;
                                output.WriteBrk(now);
                            }
                        }

                        if (state.Calls >= nextSample)
                        {
                            samples.Add(Sample(state, allocator));
                            nextSample += interval;
                        }
                    }
                }

                elapsed += Stopwatch.GetTimestamp() - started;
                if (_options.Progress is not null && state.Calls >= nextProgress)
                {
                    _options.Progress(state.Calls);
                    nextProgress = state.Calls + (1 << 16);
                }

                if (pipeline is null)
                {
                    count = batch.Read(reader);
                    batch.Resolve(state.Resolver);
                }
                else
                {
                    pipeline.Return(batch);
                    count = pipeline.TryTake(out ReplayBatch? next) ? next!.RecordCount : 0;
                    batch = next ?? batch;
                    if (count > 0 && !batch.Resolved)
                    {
                        batch.Resolve(state.Resolver);
                    }
                }
            }

            if (_options.Drain)
            {
                long started = Stopwatch.GetTimestamp();
                drained = state.Drain();
                elapsed += Stopwatch.GetTimestamp() - started;
                if (output is not null && os.CurrentBreak != lastBreak)
                {
                    output.WriteBrk(os.CurrentBreak);
                }
            }
        }
        finally
        {
            pipeline?.Dispose();
            SimulatedThread.Set(previousThread);
            output?.Flush();
        }

        // One walk of the heap serves both the final sample and the result (nothing changes in between).
        AllocatorStatistics statistics = allocator.GetStatistics();
        ReplaySample last = Sample(state, statistics);
        if (samples.Count == 0 || samples[^1].Call != last.Call || _options.Drain)
        {
            samples.Add(last);
        }

        OsStatistics osStats = os.GetStatistics();
        TimeSpan time = Stopwatch.GetElapsedTime(0, elapsed);
        return new ReplayResult
        {
            Strategy = allocator.Name,
            Calls = state.Calls,
            SkippedCalls = state.Skipped,
            FailedAllocations = state.SimulatedFailures,
            DrainedBlocks = drained,
            PeakLiveBytes = state.PeakLiveBytes,
            FinalLiveBytes = state.LiveBytes,
            PeakRssBytes = osStats.PeakRssBytes,
            FinalRssBytes = osStats.RssBytes,
            PeakVszBytes = osStats.PeakVszBytes,
            FinalVszBytes = osStats.VszBytes,
            PageFaults = osStats.PageFaults,
            Syscalls = SyscallCounts.From(osStats),
            ReplayTime = time,
            NsPerCall = state.Calls == 0 ? 0 : time.TotalNanoseconds / state.Calls,
            HeapStart = heapStart,
            Threads = state.Threads,
            Samples = samples,
            Statistics = statistics,
        };
    }

    /// <summary>The <c># heap-start</c> before the first call, if any.</summary>
    internal static ulong? FindHeapStart(ReadOnlySpan<TraceRecord> records)
    {
        foreach (TraceRecord record in records)
        {
            if (record.Kind == TraceRecordKind.HeapStart)
            {
                return record.Address;
            }

            if (record.Kind == TraceRecordKind.Call)
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>Creates the simulated process, its break at <paramref name="heapStart"/> when given.</summary>
    internal static SimulatedOs CreateOs(ulong? heapStart, Action<SimulatedOsOptions>? configure)
    {
        var options = new SimulatedOsOptions();
        if (heapStart is ulong start)
        {
            options.BreakStart = start;
        }

        configure?.Invoke(options);
        try
        {
            return new SimulatedOs(options);
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException e)
        {
            throw new ReplayException(
                "the simulated process cannot be laid out as the trace asks (" + string.Join("; ", e.Failures) + ")",
                0,
                heapStart is null ? "(no heap-start)" : "# heap-start " + TraceCall.FormatPointer(heapStart.Value),
                e);
        }
    }

    internal static void WriteSimulated(ITraceSink output, in TraceCall call, ulong pointer, ulong result, IAllocator allocator, ISimulatedOs os, bool headers)
    {
        TraceCall simulated = call with
        {
            Argument1 = call.Kind is TraceCallKind.Realloc or TraceCallKind.Free ? pointer : call.Argument1,
            Result = result,
            HasHeader = false,
            HasUsable = false,
            Header = 0,
            Usable = 0,
        };
        if (result != 0)
        {
            simulated = simulated with { Usable = allocator.UsableSize(result), HasUsable = true };
            if (headers && os.IsAccessible(result - 8, 8, Protection.Read))
            {
                simulated = simulated with { Header = os.ReadUInt64(result - 8), HasHeader = true };
            }
        }

        output.WriteCall(simulated);
    }

    private static ReplaySample Sample(ReplayState state, IAllocator allocator) => Sample(state, allocator.GetStatistics());

    private static ReplaySample Sample(ReplayState state, in AllocatorStatistics s)
    {
        return new ReplaySample
        {
            Call = state.Calls,
            RssBytes = s.Os.RssBytes,
            VszBytes = s.Os.VszBytes,
            LiveRequestedBytes = state.LiveBytes,
            AllocatedBytes = s.AllocatedBytes,
            HeldBytes = s.HeldBytes,
            Syscalls = s.Os.Syscalls,
            PageFaults = s.Os.PageFaults,
            Fragmentation = s.ExternalFragmentation,
        };
    }
}
