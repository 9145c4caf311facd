// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using Allocators.Benchmarks.Infrastructure;
using BenchmarkDotNet.Attributes;

namespace Allocators.Benchmarks.Workloads;

/// <summary>
/// Power-of-two churn, the buddy allocator's home ground (target: buddy ≤ 1.0× the real glibc): fill
/// <see cref="LiveObjects"/> blocks whose sizes are powers of two between 2^<see cref="MinOrder"/> and
/// 2^<see cref="MaxOrder"/> bytes (uniform in the exponent, seeded), then <see cref="Steps"/> times free a random
/// live block and allocate one of a new random power-of-two size, then free everything.
/// </summary>
[BenchmarkCategory("Workloads", "Churn")]
public class PowerOfTwoChurnBenchmarks : HeadToHeadBenchmark
{
    /// <summary>The live blocks during the churn.</summary>
    public const int LiveObjects = 2048;

    /// <summary>The replace steps per invocation.</summary>
    public const int Steps = 16384;

    /// <summary>The smallest exponent (16 bytes).</summary>
    public const int MinOrder = 4;

    /// <summary>Gets or sets the largest exponent: 12 (4 KiB) or 16 (64 KiB).</summary>
    [Params(12, 16)]
    public int MaxOrder { get; set; }

    /// <inheritdoc/>
    protected override IReadOnlyList<string> ShortSuiteStrategies => ["glibc", "buddy"];

    /// <inheritdoc/>
    protected override OperationSequence CreateSequence()
        => ChurnSequence.Build(LiveObjects, Steps, new Random(4141), NextSize, $"pow2-churn-{MaxOrder}");

    private ulong NextSize(Random random) => 1UL << random.Next(MinOrder, MaxOrder + 1);
}
