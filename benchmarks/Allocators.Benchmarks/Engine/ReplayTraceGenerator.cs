// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.IO;
using Allocators.Workloads;

namespace Allocators.Benchmarks.Engine;

/// <summary>
/// Writes a large, seeded, realistic text trace for the replay-engine benchmark: a single thread churning a live
/// set of about <see cref="TargetLiveBlocks"/> blocks with mostly small sizes (malloc 47 %, calloc 3 %, memalign 1 %,
/// realloc 5 %, free 44 % of the calls while blocks are live), a few medium blocks and rare large ones above the
/// mmap threshold. The recorded addresses are synthetic but unique while live, which is all a replay needs.
/// </summary>
public static class ReplayTraceGenerator
{
    /// <summary>The live-set size the churn hovers around (blocks).</summary>
    public const int TargetLiveBlocks = 20_000;

    private const int Tid = 4242;
    private const ulong HeapStart = 0x555555559000;
    private const ulong AddressBase = 0x7f0000000000;

    /// <summary>
    /// Writes <paramref name="calls"/> calls into <paramref name="directory"/> (a cached copy is reused when it has the
    /// same call count and seed) and returns the path.
    /// </summary>
    public static string WriteCached(string directory, long calls, int seed = 4141)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, $"replay-{calls}-{seed}.trace");
        string marker = path + ".done";
        if (!File.Exists(path) || !File.Exists(marker))
        {
            Write(path, calls, seed);
            File.WriteAllText(marker, calls.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return path;
    }

    /// <summary>Writes <paramref name="calls"/> calls to <paramref name="path"/>.</summary>
    public static void Write(string path, long calls, int seed = 4141)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(calls);
        var random = new Random(seed);
        var live = new List<ulong>(TargetLiveBlocks * 2);
        ulong next = 0;
        string temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        using (var writer = new TraceWriter(file))
        {
            writer.WriteHeapStart(HeapStart);
            for (long i = 0; i < calls; i++)
            {
                int roll = random.Next(100);

                // Keep the live set near its target: below half of it, allocate; above twice it, free.
                if (live.Count < TargetLiveBlocks / 2 && roll >= 47)
                {
                    roll %= 47;
                }
                else if (live.Count > TargetLiveBlocks * 2 && roll < 56)
                {
                    roll = 56 + (roll % 44);
                }

                if (live.Count == 0 && roll >= 51)
                {
                    roll %= 47;
                }

                if (roll < 47)
                {
                    ulong result = NewAddress(ref next);
                    writer.WriteCall(TraceCall.Malloc(Tid, NextSize(random), result));
                    live.Add(result);
                }
                else if (roll < 50)
                {
                    ulong result = NewAddress(ref next);
                    writer.WriteCall(TraceCall.Calloc(Tid, (ulong)random.Next(1, 16), NextSize(random) / 8 + 1, result));
                    live.Add(result);
                }
                else if (roll < 51)
                {
                    ulong result = NewAddress(ref next);
                    writer.WriteCall(TraceCall.Memalign(Tid, 64, NextSize(random), result));
                    live.Add(result);
                }
                else if (roll < 56)
                {
                    int index = random.Next(live.Count);
                    ulong result = NewAddress(ref next);
                    writer.WriteCall(TraceCall.Realloc(Tid, live[index], NextSize(random) * 2, result));
                    live[index] = result;
                }
                else
                {
                    int index = random.Next(live.Count);
                    writer.WriteCall(TraceCall.Free(Tid, live[index]));
                    live[index] = live[^1];
                    live.RemoveAt(live.Count - 1);
                }
            }
        }

        File.Move(temporary, path, overwrite: true);
    }

    private static ulong NewAddress(ref ulong next) => AddressBase + (++next * 16);

    // Mostly small (the tcache and fast bins), some medium, rare large (above the 128 KiB mmap threshold).
    private static ulong NextSize(Random random)
    {
        int bucket = random.Next(1000);
        return bucket switch
        {
            < 700 => (ulong)random.Next(1, 257),
            < 950 => (ulong)random.Next(257, 4097),
            < 999 => (ulong)random.Next(4097, 65537),
            _ => (ulong)random.Next(131072, 1048577),
        };
    }
}
