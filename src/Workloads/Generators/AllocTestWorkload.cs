// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Generic;

namespace Allocators.Workloads;

/// <summary>alloc-test (OLogN / ithare.com): Pareto-skewed slot toggling with geometrically distributed sizes.</summary>
internal static class AllocTestWorkload
{
    public const string Description =
        "alloc-test (ithare.com allocator tester): 2 threads own slices of slots, half allocated at the start; each step picks a slot "
        + "by a 7-level 80/20 (Pareto) choice and frees it if occupied, else allocates a size whose power-of-two class is geometrically "
        + "distributed (each doubling half as likely), roughly 5 bytes to 1 KiB.";

    public const int Threads = 2;

    public static void Run(GeneratorContext context)
    {
        int slotsPerThread = context.Scaled(4096, 16);
        int operations = context.Scaled(40_000);
        var threads = new List<IEnumerator<bool>>();
        for (int t = 0; t < Threads; t++)
        {
            threads.Add(Thread(context, context.Random.Fork(), t, slotsPerThread, operations));
        }

        context.RunThreads(threads);
    }

    private static ulong Size(SplitMix64 random)
    {
        // Class k = 2..9 with probability halving per class: (2^k, 2^(k+1)].
        int k = 2;
        while (k < 9 && random.Chance(50))
        {
            k++;
        }

        ulong low = 1UL << k;
        return low + 1 + random.Below(low);
    }

    private static int Pareto(SplitMix64 random, int count)
    {
        int offset = 0;
        int range = count;
        for (int level = 0; level < 7 && range > 5; level++)
        {
            int hot = range / 5;
            if (random.Below(10) < 8)
            {
                range = hot;
            }
            else
            {
                offset += hot;
                range -= hot;
                break;
            }
        }

        return offset + random.Index(range);
    }

    private static IEnumerator<bool> Thread(GeneratorContext context, SplitMix64 random, int tid, int slotCount, int operations)
    {
        var slots = new ulong[slotCount];
        for (int i = 0; i < slotCount; i++)
        {
            if (random.Chance(50))
            {
                slots[i] = context.Malloc(tid, Size(random));
                yield return true;
            }
        }

        for (int op = 0; op < operations; op++)
        {
            int i = Pareto(random, slotCount);
            if (slots[i] != 0)
            {
                context.Free(tid, slots[i]);
                slots[i] = 0;
            }
            else
            {
                slots[i] = context.Malloc(tid, Size(random));
            }

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
