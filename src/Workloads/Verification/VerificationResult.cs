// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads;

/// <summary>The outcome of <see cref="TraceVerifier.Verify(TraceReader)"/>.</summary>
/// <param name="Strategy">The strategy that replayed the trace.</param>
/// <param name="Calls">Calls compared (up to and including the divergent one).</param>
/// <param name="CallsMatched">Calls whose result, chunk header and break matched.</param>
/// <param name="HeapStart">The recorded <c># heap-start</c>.</param>
/// <param name="FirstDivergence">The first difference, or null when the replay is exact.</param>
public sealed record VerificationResult(string Strategy, long Calls, long CallsMatched, ulong HeapStart, TraceDivergence? FirstDivergence)
{
    /// <summary>Gets a value indicating whether every call matched (0 divergences).</summary>
    public bool IsExact => FirstDivergence is null;
}
