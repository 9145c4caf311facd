// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Generic;

namespace Allocators.Workloads;

/// <summary>The first place where a replay differs from the recorded trace.</summary>
public sealed record TraceDivergence
{
    /// <summary>Gets the line (or binary record) number of the call.</summary>
    public long Line { get; init; }

    /// <summary>Gets the 1-based index of the call among the calls.</summary>
    public long CallIndex { get; init; }

    /// <summary>Gets what differed.</summary>
    public DivergenceKind Kind { get; init; }

    /// <summary>Gets a sentence describing the difference.</summary>
    public required string Description { get; init; }

    /// <summary>Gets the recorded value (address, offset, word or break) as text.</summary>
    public required string Expected { get; init; }

    /// <summary>Gets the simulated value as text.</summary>
    public required string Actual { get; init; }

    /// <summary>Gets the recorded lines up to and including the divergent call (with facts and the break after it).</summary>
    public required IReadOnlyList<string> ExpectedContext { get; init; }

    /// <summary>Gets the simulated lines for the same calls.</summary>
    public required IReadOnlyList<string> ActualContext { get; init; }
}
