// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;

namespace Allocators.Workloads;

/// <summary>
/// What a generator writes through: a synthetic address space (a bump pointer, so every result is unique and 16-byte
/// aligned), the trace sink, and a deterministic scheduler that interleaves simulated threads.
/// </summary>
internal sealed class GeneratorContext
{
    private const ulong AddressBase = 0x10_0000_0000;
    private readonly ITraceSink _sink;
    private readonly Dictionary<ulong, ulong> _sizes = [];
    private ulong _next = AddressBase;

    public GeneratorContext(ITraceSink sink, ulong seed, double scale)
    {
        _sink = sink;
        Random = new SplitMix64(seed);
        Scale = scale;
    }

    public SplitMix64 Random { get; }

    public double Scale { get; }

    public long Calls { get; private set; }

    /// <summary>Scales a count, never below <paramref name="minimum"/>.</summary>
    public int Scaled(double count, int minimum = 1) => Math.Max(minimum, (int)Math.Round(count * Scale));

    public ulong Malloc(int tid, ulong size)
    {
        ulong result = Take(size, 16);
        Emit(TraceCall.Malloc(tid, size, result));
        return result;
    }

    public ulong Calloc(int tid, ulong count, ulong size)
    {
        ulong result = Take(count * size, 16);
        Emit(TraceCall.Calloc(tid, count, size, result));
        return result;
    }

    public ulong Memalign(int tid, ulong alignment, ulong size)
    {
        ulong result = Take(size, Math.Max(16, alignment));
        Emit(TraceCall.Memalign(tid, alignment, size, result));
        return result;
    }

    public ulong Realloc(int tid, ulong pointer, ulong size)
    {
        if (pointer != 0)
        {
            Forget(pointer);
        }

        ulong result = Take(size, 16);
        Emit(TraceCall.Realloc(tid, pointer, size, result));
        return result;
    }

    public void Free(int tid, ulong pointer)
    {
        if (pointer != 0)
        {
            Forget(pointer);
        }

        Emit(TraceCall.Free(tid, pointer));
    }

    /// <summary>
    /// Runs simulated threads to completion, interleaved: a seeded choice of a runnable thread runs a burst of
    /// 1–<paramref name="maxBurst"/> steps. A thread yields true after a step, false while it waits for another.
    /// </summary>
    public void RunThreads(IReadOnlyList<IEnumerator<bool>> threads, int maxBurst = 32)
    {
        var running = new List<IEnumerator<bool>>(threads);
        int blockedInARow = 0;
        while (running.Count > 0)
        {
            int pick = Random.Index(running.Count);
            IEnumerator<bool> thread = running[pick];
            int burst = 1 + Random.Index(maxBurst);
            bool progressed = false;
            for (int i = 0; i < burst; i++)
            {
                if (!thread.MoveNext())
                {
                    running.RemoveAt(pick);
                    progressed = true;
                    break;
                }

                if (!thread.Current)
                {
                    break;
                }

                progressed = true;
            }

            blockedInARow = progressed ? 0 : blockedInARow + 1;
            if (blockedInARow > 1000 * (running.Count + 1))
            {
                throw new InvalidOperationException("Every simulated thread of the workload is waiting: the generator deadlocked.");
            }
        }
    }

    private ulong Take(ulong size, ulong alignment)
    {
        ulong result = (_next + alignment - 1) & ~(alignment - 1);
        _next = result + Math.Max(16, (size + 15) & ~15UL) + 16;
        _sizes.Add(result, size);
        return result;
    }

    private void Forget(ulong pointer)
    {
        if (!_sizes.Remove(pointer))
        {
            throw new InvalidOperationException($"Generator bug: 0x{pointer:x} is not live.");
        }
    }

    private void Emit(in TraceCall call)
    {
        _sink.WriteCall(call);
        Calls++;
    }
}
