// Copyright (c) Allocators contributors. MIT License.

using System;

namespace Allocators.Benchmarks.Infrastructure;

/// <summary>
/// Which parameter values the benchmarks generate. BenchmarkDotNet's <c>--filter</c> selects classes and methods
/// but not parameter values, so the short suite (<c>benchmarks/run-short.sh</c>) sets
/// <c>ALLOCATORS_BENCH_SUITE=short</c> to keep each workload to glibc plus the strategy it targets, and the trace
/// benchmarks to a representative few traces.
/// </summary>
public static class SuiteSelection
{
    /// <summary>The environment variable: <c>short</c> selects the short suite; anything else (or unset), everything.</summary>
    public const string Variable = "ALLOCATORS_BENCH_SUITE";

    /// <summary>Gets a value indicating whether the short suite is selected.</summary>
    public static bool IsShort =>
        string.Equals(Environment.GetEnvironmentVariable(Variable), "short", StringComparison.OrdinalIgnoreCase);
}
