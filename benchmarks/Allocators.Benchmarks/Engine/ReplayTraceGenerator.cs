// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.IO;
using Allocators.Workloads;

namespace Allocators.Benchmarks.Engine;

/// <summary>
/// Writes a large, seeded text trace for the replay-engine benchmark, shaped like the recorded programs in
/// <c>samples/traces</c> (mostly small blocks, many reallocs that grow a block by half, frees of random live blocks):
/// a single thread churning a live set of about <see cref="TargetLiveBlocks"/> blocks with malloc 42 %, calloc 2 %,
/// memalign 1 %, realloc 12 %, free 43 % of the calls; sizes ≤ 256 bytes 90 %, ≤ 4 KiB 9 %, ≤ 64 KiB 0.99 %,
/// 128 KiB–1 MiB (above the mmap threshold) 0.01 %. The recorded addresses are synthetic but unique while live,
/// which is all a replay needs.
/// </summary>
public static class ReplayTraceGenerator
{
    /// <summary>The live-set size the churn hovers around (blocks).</summary>
    public const int TargetLiveBlocks = 20_000;

    /// <summary>The version of the trace shape, part of the cached file name.</summary>
    public const int Version = 2;

    private const int Tid = 4242;
    private const ulong HeapStart = 0x555555559000;
    private const ulong AddressBase = 0x7f0000000000;
    private const ulong MaxReallocBytes = 1 << 20;

    /// <summary>
    /// Writes <paramref name="calls"/> calls into <paramref name="directory"/> (a cached copy is reused when it has the
    /// same shape version, call count and seed) and returns the path.
    /// </summary>
    public static string WriteCached(string directory, long calls, int seed = 4141)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, $"replay-v{Version}-{calls}-{seed}.trace");
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
        var live = new List<(ulong Address, ulong Size)>(TargetLiveBlocks * 2);
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
                if ((live.Count < TargetLiveBlocks / 2 || live.Count == 0) && roll >= 45)
                {
                    roll %= 45;
                }
                else if (live.Count > TargetLiveBlocks * 2 && roll < 57)
                {
                    roll = 57 + (roll % 43);
                }

                if (roll < 42)
                {
                    ulong size = NextSize(random);
                    ulong result = NewAddress(ref next);
                    writer.WriteCall(TraceCall.Malloc(Tid, size, result));
                    live.Add((result, size));
                }
                else if (roll < 44)
                {
                    ulong count = (ulong)random.Next(1, 9);
                    ulong size = (NextSize(random) / count) + 1;
                    ulong result = NewAddress(ref next);
                    writer.WriteCall(TraceCall.Calloc(Tid, count, size, result));
                    live.Add((result, count * size));
                }
                else if (roll < 45)
                {
                    ulong size = NextSize(random);
                    ulong result = NewAddress(ref next);
                    writer.WriteCall(TraceCall.Memalign(Tid, 64, size, result));
                    live.Add((result, size));
                }
                else if (roll < 57)
                {
                    int index = random.Next(live.Count);
                    (ulong address, ulong size) = live[index];
                    ulong grown = Math.Min(size + (size / 2) + 16, MaxReallocBytes);
                    ulong result = NewAddress(ref next);
                    writer.WriteCall(TraceCall.Realloc(Tid, address, grown, result));
                    live[index] = (result, grown);
                }
                else
                {
                    int index = random.Next(live.Count);
                    writer.WriteCall(TraceCall.Free(Tid, live[index].Address));
                    live[index] = live[^1];
                    live.RemoveAt(live.Count - 1);
                }
            }
        }

        File.Move(temporary, path, overwrite: true);
    }

    private static ulong NewAddress(ref ulong next) => AddressBase + (++next * 16);

    private static ulong NextSize(Random random)
    {
        int bucket = random.Next(10_000);
        return bucket switch
        {
            < 9_000 => (ulong)random.Next(1, 257),
            < 9_900 => (ulong)random.Next(257, 4097),
            < 9_999 => (ulong)random.Next(4097, 65537),
            _ => (ulong)random.Next(131072, 1048577),
        };
    }
}
