// Copyright (c) Allocators contributors. MIT License.

using Allocators.Benchmarks.Infrastructure;
using BenchmarkDotNet.Attributes;

namespace Allocators.Benchmarks.Micro;

/// <summary>
/// malloc(size) immediately followed by free, <see cref="Pairs"/> times per invocation, per size class: 16 and 64
/// bytes (glibc's tcache), 1024 (the largest tcache bin; a small bin), 65536 (carved from and merged back into top).
/// </summary>
[BenchmarkCategory("Micro")]
public class AllocateFreeBenchmarks : HeadToHeadBenchmark
{
    /// <summary>The pairs per invocation.</summary>
    public const int Pairs = 1024;

    /// <summary>Gets or sets the request size.</summary>
    [Params(16, 64, 1024, 65536)]
    public int Size { get; set; }

    /// <inheritdoc/>
    protected override OperationSequence CreateSequence()
    {
        var builder = new OperationSequenceBuilder();
        for (int i = 0; i < Pairs; i++)
        {
            builder.Free(builder.Malloc((ulong)Size));
        }

        return builder.Build($"malloc-free-{Size}");
    }
}
