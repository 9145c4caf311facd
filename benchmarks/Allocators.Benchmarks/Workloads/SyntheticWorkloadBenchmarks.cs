// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Generic;
using System.Linq;
using Allocators.Benchmarks.Infrastructure;
using Allocators.Workloads;
using BenchmarkDotNet.Attributes;

namespace Allocators.Benchmarks.Workloads;

/// <summary>
/// The synthetic workloads of <see cref="WorkloadGenerator"/> (after mimalloc-bench: glibc-simple, glibc-thread,
/// larson, xmalloc, mstress, alloc-test, malloc-large, sh6bench) at a fixed seed and <see cref="Scale"/>,
/// replayed head to head. Thread ids are ignored (every call runs on the benchmark thread).
/// </summary>
[BenchmarkCategory("Workloads", "Synthetic")]
public class SyntheticWorkloadBenchmarks : HeadToHeadBenchmark
{
    /// <summary>The generator scale (1 = the generator's default size).</summary>
    public const double Scale = 0.25;

    /// <summary>The generator seed.</summary>
    public const ulong Seed = 42;

    /// <summary>Gets or sets the workload name.</summary>
    [ParamsSource(nameof(Workloads))]
    public string Workload { get; set; } = string.Empty;

    /// <summary>Gets the generator's workloads (in the short suite, larson and sh6bench only).</summary>
    public static IEnumerable<string> Workloads => WorkloadGenerator.Workloads
        .Select(w => w.Name)
        .Where(name => !SuiteSelection.IsShort || name is "larson" or "sh6bench");

    /// <inheritdoc/>
    protected override OperationSequence CreateSequence()
    {
        using var collector = new TraceCallCollector();
        WorkloadGenerator.Generate(Workload, Seed, Scale, collector);
        return TraceSequenceDecoder.FromCalls(collector.Calls, Workload);
    }
}
