// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Generic;

namespace Allocators.Workloads;

/// <summary>larson (Larson &amp; Krishnan): server-style random replacement with remote frees and short-lived threads.</summary>
internal static class LarsonWorkload
{
    public const string Description =
        "larson (Larson & Krishnan, ISMM 1998): the main thread fills 4 slices of blocks of 8-1000 bytes and churns them; "
        + "each slice is then churned by a thread that frees blocks the main thread allocated (remote frees), and hands its "
        + "slice on to a new thread when done, so blocks outlive the threads that allocated them.";

    public const int Threads = 4;
    private const ulong MinSize = 8;
    private const ulong MaxSize = 1000;
    private const int Generations = 3;

    public static void Run(GeneratorContext context)
    {
        SplitMix64 random = context.Random;
        int blocksPerThread = context.Scaled(1000, 8);
        int total = Threads * blocksPerThread;
        var slots = new ulong[total];
        for (int i = 0; i < total; i++)
        {
            slots[i] = context.Malloc(0, random.Between(MinSize, MaxSize));
        }

        for (int i = total - 1; i > 0; i--)
        {
            int j = random.Index(i + 1);
            (slots[i], slots[j]) = (slots[j], slots[i]);
        }

        for (int step = 0; step < 4 * total; step++)
        {
            int victim = random.Index(total);
            context.Free(0, slots[victim]);
            slots[victim] = context.Malloc(0, random.Between(MinSize, MaxSize));
        }

        var threads = new List<IEnumerator<bool>>();
        for (int t = 0; t < Threads; t++)
        {
            threads.Add(Slice(context, random.Fork(), slots, t * blocksPerThread, blocksPerThread, t + 1));
        }

        context.RunThreads(threads);
        for (int i = 0; i < total; i++)
        {
            context.Free(0, slots[i]);
        }
    }

    private static IEnumerator<bool> Slice(GeneratorContext context, SplitMix64 random, ulong[] slots, int first, int count, int firstTid)
    {
        int steps = 10 * count;
        for (int generation = 0; generation < Generations; generation++)
        {
            // When a thread finishes its rounds it starts a successor on the same slice and exits.
            int tid = firstTid + (generation * Threads);
            for (int step = 0; step < steps; step++)
            {
                int victim = first + random.Index(count);
                context.Free(tid, slots[victim]);
                slots[victim] = context.Malloc(tid, random.Between(MinSize, MaxSize));
                yield return true;
            }
        }
    }
}
