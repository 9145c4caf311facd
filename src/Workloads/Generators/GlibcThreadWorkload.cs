// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Generic;

namespace Allocators.Workloads;

/// <summary>glibc-thread (bench-malloc-thread.c): threads replace random slots with inverse-square-distributed sizes.</summary>
internal static class GlibcThreadWorkload
{
    public const string Description =
        "glibc benchtest bench-malloc-thread: 4 threads, each with 1024 slots, repeatedly free a slot and allocate a block whose size "
        + "comes from a table of 8000 sizes drawn from an inverse-square distribution on [4, 32768].";

    public const int Threads = 4;
    private const int Slots = 1024;

    public static void Run(GeneratorContext context)
    {
        SplitMix64 random = context.Random;
        const double Low = 4, High = 32768;
        var sizes = new ulong[8000];
        for (int i = 0; i < sizes.Length; i++)
        {
            // Inverse CDF of a density proportional to 1/x² on [Low, High].
            double u = random.NextDouble();
            sizes[i] = (ulong)(1.0 / ((1.0 / Low) - (u * ((1.0 / Low) - (1.0 / High)))));
        }

        var indices = new int[4096];
        for (int i = 0; i < indices.Length; i++)
        {
            indices[i] = random.Index(Slots);
        }

        int iterations = context.Scaled(40_000);
        var threads = new List<IEnumerator<bool>>();
        for (int t = 0; t < Threads; t++)
        {
            threads.Add(Thread(context, t, sizes, indices, iterations, random.Index(sizes.Length)));
        }

        context.RunThreads(threads);
    }

    private static IEnumerator<bool> Thread(GeneratorContext context, int tid, ulong[] sizes, int[] indices, int iterations, int start)
    {
        var slots = new ulong[Slots];
        for (int i = 0; i < iterations; i++)
        {
            int slot = indices[(start + i) % indices.Length];
            ulong size = sizes[(start + i) % sizes.Length];
            if (slots[slot] != 0)
            {
                context.Free(tid, slots[slot]);
            }

            slots[slot] = context.Malloc(tid, size);
            yield return true;
        }

        foreach (ulong block in slots)
        {
            if (block != 0)
            {
                context.Free(tid, block);
                yield return true;
            }
        }
    }
}
