// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Generic;

namespace Allocators.Workloads;

/// <summary>The outcome of <see cref="TraceChecker.Check(TraceReader, int)"/>.</summary>
/// <param name="Calls">Calls read.</param>
/// <param name="Problems">The number of inconsistencies found.</param>
/// <param name="FirstProblems">The first few inconsistencies, each naming its line.</param>
/// <param name="LiveAtEnd">Blocks still live at the end of the trace.</param>
/// <param name="PeakLiveBytes">The peak of requested bytes live at once.</param>
/// <param name="Threads">The number of distinct thread ids.</param>
public sealed record TraceCheckResult(long Calls, long Problems, IReadOnlyList<string> FirstProblems, long LiveAtEnd, ulong PeakLiveBytes, int Threads)
{
    /// <summary>Gets a value indicating whether every freed or reallocated pointer was live and no live pointer was returned twice.</summary>
    public bool IsConsistent => Problems == 0;
}
