// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.Linq;
using Allocators.Benchmarks.Infrastructure;
using BenchmarkDotNet.Attributes;

namespace Allocators.Benchmarks.Workloads;

/// <summary>
/// Recorded traces of real programs (<c>samples/traces</c>) replayed head to head: every strategy against the real
/// glibc on the same call sequence. The glibc strategy's target is a ratio ≤ 2.0 (long term 1.5).
/// </summary>
[BenchmarkCategory("Workloads", "Trace")]
public class TraceReplayBenchmarks : HeadToHeadBenchmark
{
    /// <summary>Gets or sets the trace file name (in <c>samples/traces</c>).</summary>
    [ParamsSource(nameof(Traces))]
    public string Trace { get; set; } = string.Empty;

    /// <summary>Gets the traces found in the trace directory (in the short suite, only <see cref="ShortSuiteTraces"/>).</summary>
    public static IEnumerable<string> Traces => RepositoryPaths.TraceNames()
        .Where(name => !SuiteSelection.IsShort || ShortSuiteTraces.Any(t => name.StartsWith(t + ".", StringComparison.Ordinal)));

    /// <summary>Gets the traces the short suite replays: small, medium, large and a multi-million-call one.</summary>
    public static IReadOnlyList<string> ShortSuiteTraces { get; } = ["python-json", "gcc-compile-cc1", "perl-wordfreq", "sed-substitute-7m"];

    /// <inheritdoc/>
    protected override OperationSequence CreateSequence() =>
        TraceSequenceDecoder.FromFile(RepositoryPaths.TracePath(Trace), Trace);
}
