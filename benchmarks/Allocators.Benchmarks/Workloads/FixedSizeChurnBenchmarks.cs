// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using Allocators.Benchmarks.Infrastructure;
using BenchmarkDotNet.Attributes;

namespace Allocators.Benchmarks.Workloads;

/// <summary>
/// Fixed-size object churn, the slab allocator's home ground (target: slab ≤ 1.0× the real glibc): fill
/// <see cref="LiveObjects"/> objects of <see cref="ObjectBytes"/> bytes, then <see cref="Steps"/> times free a
/// random live object and allocate a replacement (seeded), then free everything.
/// </summary>
[BenchmarkCategory("Workloads", "Churn")]
public class FixedSizeChurnBenchmarks : HeadToHeadBenchmark
{
    /// <summary>The live objects during the churn.</summary>
    public const int LiveObjects = 4096;

    /// <summary>The replace steps per invocation.</summary>
    public const int Steps = 16384;

    /// <summary>Gets or sets the object size.</summary>
    [Params(64, 192)]
    public int ObjectBytes { get; set; }

    /// <inheritdoc/>
    protected override IReadOnlyList<string> ShortSuiteStrategies => ["glibc", "slab"];

    /// <inheritdoc/>
    protected override OperationSequence CreateSequence()
        => ChurnSequence.Build(LiveObjects, Steps, new Random(20261129), _ => (ulong)ObjectBytes, $"fixed-churn-{ObjectBytes}");
}
