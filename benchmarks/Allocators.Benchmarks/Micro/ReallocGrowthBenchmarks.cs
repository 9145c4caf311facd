// Copyright (c) Allocators contributors. MIT License.

using Allocators.Benchmarks.Infrastructure;
using BenchmarkDotNet.Attributes;

namespace Allocators.Benchmarks.Micro;

/// <summary>
/// A buffer grown by doubling from 16 bytes to <see cref="MaxBytes"/> with realloc, a 32-byte allocation
/// between steps (kept until the round ends, so the buffer cannot always grow in place), then everything freed;
/// <see cref="Rounds"/> rounds per invocation. 4096 stays in the heap; 1 MiB crosses the mmap threshold (mremap).
/// </summary>
[BenchmarkCategory("Micro")]
public class ReallocGrowthBenchmarks : HeadToHeadBenchmark
{
    /// <summary>The rounds per invocation.</summary>
    public const int Rounds = 32;

    /// <summary>Gets or sets the final buffer size.</summary>
    [Params(4096, 1048576)]
    public int MaxBytes { get; set; }

    /// <inheritdoc/>
    protected override OperationSequence CreateSequence()
    {
        var builder = new OperationSequenceBuilder();
        var noise = new int[32];
        for (int round = 0; round < Rounds; round++)
        {
            int buffer = builder.Malloc(16);
            int steps = 0;
            for (ulong size = 32; size <= (ulong)MaxBytes; size *= 2)
            {
                builder.Realloc(buffer, size);
                noise[steps++] = builder.Malloc(32);
            }

            builder.Free(buffer);
            for (int i = steps - 1; i >= 0; i--)
            {
                builder.Free(noise[i]);
            }
        }

        return builder.Build($"realloc-growth-{MaxBytes}");
    }
}
