// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads;

/// <summary>glibc-simple (bench-malloc-simple.c): batches of n equal blocks, the first half freed FIFO, the rest LIFO.</summary>
internal static class GlibcSimpleWorkload
{
    public const string Description =
        "glibc benchtest bench-malloc-simple: for sizes 16/32/64 and batches of 25/100/400/1600 blocks, allocate a batch, "
        + "free the first half in order and the rest from the last; run on the main thread, in a second thread, and on the main thread again. Fixed: the seed is unused.";

    public static void Run(GeneratorContext context)
    {
        // The original runs 2,000,000 / n iterations per batch size; scale 1 is a thousandth of that.
        int[] runs = [0, 1, 0];
        foreach (int tid in runs)
        {
            foreach (ulong size in (ulong[])[16, 32, 64])
            {
                foreach (int n in (int[])[25, 100, 400, 1600])
                {
                    int iterations = context.Scaled(2000.0 / n);
                    var blocks = new ulong[n];
                    for (int it = 0; it < iterations; it++)
                    {
                        for (int i = 0; i < n; i++)
                        {
                            blocks[i] = context.Malloc(tid, size);
                        }

                        for (int i = 0; i < n / 2; i++)
                        {
                            context.Free(tid, blocks[i]);
                        }

                        for (int i = n - 1; i >= n / 2; i--)
                        {
                            context.Free(tid, blocks[i]);
                        }
                    }
                }
            }
        }
    }
}
