// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Generic;

namespace Allocators.Workloads;

/// <summary>sh6bench (MicroQuill SmartHeap): per-thread rings freed partly FIFO and partly in reverse, a window surviving each cycle.</summary>
internal static class Sh6benchWorkload
{
    public const string Description =
        "sh6bench (MicroQuill SmartHeap): 4 threads each fill a ring with blocks of sizes base, base/2, ... (base 1, 2, 4, 7, 11 ... 709; "
        + "250 copies of sizes under 100, 50 under 1000); when the ring is full a window of a fifth survives, the blocks before it are "
        + "freed in allocation order and those after it in reverse order.";

    public const int Threads = 4;

    public static void Run(GeneratorContext context)
    {
        // Scale 1 keeps the original copy counts (250 / 50 / 10) with a 2000-slot ring per thread; smaller scales shrink both.
        int ring = context.Scaled(2000, 10);
        int small = context.Scaled(250), medium = context.Scaled(50), large = context.Scaled(10);
        var threads = new List<IEnumerator<bool>>();
        for (int t = 0; t < Threads; t++)
        {
            threads.Add(Thread(context, t, ring, [small, medium, large]));
        }

        context.RunThreads(threads);
    }

    private static IEnumerator<bool> Thread(GeneratorContext context, int tid, int ringSize, int[] copyCounts)
    {
        var ring = new ulong[ringSize];
        int window = ringSize / 5;
        int windowStart = 0;
        int windowLength = 0;
        int next = 0;
        {
            for (ulong b = 1; b < 1000; b = (b * 3 / 2) + 1)
            {
                for (ulong size = b; size >= 1; size /= 2)
                {
                    int copies = size < 100 ? copyCounts[0] : size < 1000 ? copyCounts[1] : size < 10000 ? copyCounts[2] : 1;
                    for (int k = 0; k < copies; k++)
                    {
                        if (next >= windowStart && next < windowStart + windowLength)
                        {
                            next = windowStart + windowLength;
                        }

                        if (next >= ringSize)
                        {
                            // The ring is full: move the surviving window, free before it FIFO and after it LIFO.
                            windowStart = windowLength == 0 ? 0 : windowStart + windowLength;
                            if (windowStart + window > ringSize)
                            {
                                windowStart = 0;
                            }

                            windowLength = window;
                            for (int i = 0; i < windowStart; i++)
                            {
                                if (ring[i] != 0)
                                {
                                    context.Free(tid, ring[i]);
                                    ring[i] = 0;
                                    yield return true;
                                }
                            }

                            for (int i = ringSize - 1; i >= windowStart + windowLength; i--)
                            {
                                if (ring[i] != 0)
                                {
                                    context.Free(tid, ring[i]);
                                    ring[i] = 0;
                                    yield return true;
                                }
                            }

                            next = windowStart == 0 ? windowLength : 0;
                        }

                        ring[next++] = context.Malloc(tid, size);
                        yield return true;
                    }

                    if (size == 1)
                    {
                        break;
                    }
                }
            }
        }

        foreach (ulong block in ring)
        {
            if (block != 0)
            {
                context.Free(tid, block);
                yield return true;
            }
        }
    }
}
