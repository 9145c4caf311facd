// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads;

/// <summary>malloc-large (mimalloc #447): 20 slots of zeroed 5–25 MiB buffers replaced at random.</summary>
internal static class MallocLargeWorkload
{
    public const string Description =
        "malloc-large (mimalloc-bench, from mimalloc issue #447): one thread, 20 slots; each step allocates a zeroed buffer of 5-25 MiB "
        + "into a random slot, then frees the buffer it replaces. Exercises mmap, huge blocks and page zeroing.";

    private const int Slots = 20;
    private const ulong MiB = 1 << 20;

    public static void Run(GeneratorContext context)
    {
        SplitMix64 random = context.Random;
        int iterations = context.Scaled(500, 60);
        var slots = new ulong[Slots];
        for (int i = 0; i < iterations; i++)
        {
            int slot = random.Index(Slots);
            ulong size = random.Between(5 * MiB, (25 * MiB) + 1);

            // std::unique_ptr assignment: the new buffer exists before the old one is released.
            ulong fresh = context.Calloc(0, 1, size);
            if (slots[slot] != 0)
            {
                context.Free(0, slots[slot]);
            }

            slots[slot] = fresh;
        }

        foreach (ulong block in slots)
        {
            if (block != 0)
            {
                context.Free(0, block);
            }
        }
    }
}
