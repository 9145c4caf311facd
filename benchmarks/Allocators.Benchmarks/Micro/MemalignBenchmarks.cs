// Copyright (c) Allocators contributors. MIT License.

using Allocators.Benchmarks.Infrastructure;
using BenchmarkDotNet.Attributes;

namespace Allocators.Benchmarks.Micro;

/// <summary>
/// memalign(alignment, 200) with eight blocks kept live in a ring (each call frees the oldest), <see cref="Calls"/>
/// allocations per invocation: 64 (cache-line alignment) and 4096 (page alignment, the split-and-give-back path).
/// </summary>
[BenchmarkCategory("Micro")]
public class MemalignBenchmarks : HeadToHeadBenchmark
{
    /// <summary>The memalign calls per invocation.</summary>
    public const int Calls = 1024;

    private const int Ring = 8;

    /// <summary>Gets or sets the alignment.</summary>
    [Params(64, 4096)]
    public int Alignment { get; set; }

    /// <inheritdoc/>
    protected override OperationSequence CreateSequence()
    {
        var builder = new OperationSequenceBuilder();
        var ring = new int[Ring];
        for (int i = 0; i < Calls; i++)
        {
            if (i >= Ring)
            {
                builder.Free(ring[i % Ring]);
            }

            ring[i % Ring] = builder.Memalign((ulong)Alignment, 200);
        }

        return builder.Build($"memalign-{Alignment}");
    }
}
