// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Generic;

namespace Allocators.Workloads;

/// <summary>mstress (Leijen): rounds of threads with short-lived and retained objects migrating through a transfer array.</summary>
internal static class MstressWorkload
{
    public const string Description =
        "mstress (mimalloc-bench, Leijen): rounds of 4 threads allocate short-lived objects of 8-128 bytes into a realloc-grown array "
        + "and retained objects of 8-512 bytes (1% ×100, rarely ×1000 or ×10000), free random ones and swap objects through a global "
        + "1000-entry transfer array, so objects migrate between threads and outlive them; main frees half the transfer slots per round.";

    public const int Threads = 4;
    private const int TransferSlots = 1000;
    private const int ArrayStep = 1000;

    public static void Run(GeneratorContext context)
    {
        int rounds = context.Scaled(8, 2);
        int scale = context.Scaled(5);
        var transfer = new ulong[TransferSlots];
        SplitMix64 main = context.Random;
        for (int round = 0; round < rounds; round++)
        {
            var threads = new List<IEnumerator<bool>>();
            for (int t = 0; t < Threads; t++)
            {
                // Thread index 0 runs on the main thread (tid 0); the others are new threads every round.
                int tid = t == 0 ? 0 : 1 + (round * Threads) + t;
                threads.Add(Thread(context, new SplitMix64((ulong)((tid + 1) * 43) ^ main.Next()), tid, 100 * scale * ((t % 8) + 1), transfer));
            }

            context.RunThreads(threads);
            bool last = round == rounds - 1;
            for (int i = 0; i < TransferSlots; i++)
            {
                if (transfer[i] != 0 && (last || main.Chance(50)))
                {
                    context.Free(0, transfer[i]);
                    transfer[i] = 0;
                }
            }
        }
    }

    private static ulong ObjectSize(SplitMix64 random, int maxShift)
    {
        ulong size = 8UL << random.Index(maxShift);
        if (random.Chance(1))
        {
            size *= random.Chance(10) ? (random.Chance(1) ? 10_000UL : 1000UL) : 100UL;
        }

        return size;
    }

    private static IEnumerator<bool> Thread(GeneratorContext context, SplitMix64 random, int tid, int allocs, ulong[] transfer)
    {
        int retain = allocs / 2;
        ulong retainedArray = context.Malloc(tid, (ulong)(retain + 1) * 8);
        var retained = new List<ulong>(retain);
        var data = new List<ulong>();
        ulong dataArray = 0;
        int capacity = 0;
        yield return true;
        while (allocs > 0 || retain > 0)
        {
            if (retain == 0 || (allocs > 0 && random.Chance(50)))
            {
                if (data.Count == capacity)
                {
                    capacity += ArrayStep;
                    dataArray = context.Realloc(tid, dataArray, (ulong)capacity * 8);
                }

                data.Add(context.Malloc(tid, ObjectSize(random, 5)));
                allocs--;
            }
            else
            {
                retained.Add(context.Malloc(tid, ObjectSize(random, 7)));
                retain--;
            }

            yield return true;
            if (data.Count > 0 && random.Chance(66))
            {
                int i = random.Index(data.Count);
                if (data[i] != 0)
                {
                    context.Free(tid, data[i]);
                    data[i] = 0;
                    yield return true;
                }
            }

            if (data.Count > 0 && random.Chance(25))
            {
                int i = random.Index(data.Count);
                int j = random.Index(transfer.Length);
                (data[i], transfer[j]) = (transfer[j], data[i]);
            }
        }

        foreach (ulong block in retained)
        {
            context.Free(tid, block);
            yield return true;
        }

        foreach (ulong block in data)
        {
            if (block != 0)
            {
                context.Free(tid, block);
                yield return true;
            }
        }

        context.Free(tid, dataArray);
        context.Free(tid, retainedArray);
        yield return true;
    }
}
