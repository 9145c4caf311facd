// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Generic;
using System.Linq;

namespace Allocators;

/// <summary>The result of <see cref="IAllocator.CheckHeap"/>: every failure found, empty when the heap is consistent.</summary>
public sealed class HeapCheckResult
{
    private static readonly HeapCheckResult s_success = new([]);

    /// <summary>Initializes a new instance with the given failures.</summary>
    public HeapCheckResult(IReadOnlyList<HeapCheckFailure> failures)
    {
        Failures = failures;
    }

    /// <summary>Gets a result with no failures.</summary>
    public static HeapCheckResult Success => s_success;

    /// <summary>Gets every failure found.</summary>
    public IReadOnlyList<HeapCheckFailure> Failures { get; }

    /// <summary>Gets a value indicating whether no invariant was broken.</summary>
    public bool Succeeded => Failures.Count == 0;

    /// <summary>Creates a result from a list that may be empty.</summary>
    public static HeapCheckResult From(List<HeapCheckFailure> failures) => failures.Count == 0 ? s_success : new HeapCheckResult(failures);

    /// <inheritdoc/>
    public override string ToString() => Succeeded ? "heap consistent" : string.Join("; ", Failures.Select(f => f.ToString()));
}
