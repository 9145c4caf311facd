// Copyright (c) Allocators contributors. MIT License.

using System;
using Allocators.Benchmarks.Infrastructure;

namespace Allocators.Benchmarks.Workloads;

/// <summary>
/// The churn both churn benchmarks run: fill <c>live</c> blocks, then <c>steps</c> times free a random live block and
/// allocate a replacement, sizes drawn by <c>nextSize</c> from the same seeded generator as the victims.
/// </summary>
internal static class ChurnSequence
{
    public static OperationSequence Build(int live, int steps, Random random, Func<Random, ulong> nextSize, string name)
    {
        var builder = new OperationSequenceBuilder();
        var slots = new int[live];
        for (int i = 0; i < slots.Length; i++)
        {
            slots[i] = builder.Malloc(nextSize(random));
        }

        for (int step = 0; step < steps; step++)
        {
            int victim = random.Next(slots.Length);
            builder.Free(slots[victim]);
            slots[victim] = builder.Malloc(nextSize(random));
        }

        return builder.Build(name);
    }
}
