// Copyright (c) Allocators contributors. MIT License.

using System;

namespace Allocators.Benchmarks.Infrastructure;

/// <summary>
/// A self-contained allocation workload: a flat array of <see cref="Operation"/>s over
/// <see cref="SlotCount"/> pointer slots that ends with every slot null again (the operations from
/// <see cref="DrainStart"/> on free what the workload left live), so running it leaves the heap as it found it.
/// </summary>
/// <remarks>Slot 0 is never allocated into: it is the null pointer, which free(NULL) calls use.</remarks>
public sealed class OperationSequence
{
    /// <summary>Creates a sequence.</summary>
    public OperationSequence(string name, Operation[] operations, int slotCount, int drainStart, long skippedCalls)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentOutOfRangeException.ThrowIfNegative(drainStart);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(drainStart, operations.Length);
        Name = name;
        Operations = operations;
        SlotCount = slotCount;
        DrainStart = drainStart;
        SkippedCalls = skippedCalls;
    }

    /// <summary>Gets the workload name.</summary>
    public string Name { get; }

    /// <summary>Gets the operations, the drain included.</summary>
    public Operation[] Operations { get; }

    /// <summary>Gets the number of pointer slots the operations use (slot 0, always null, included).</summary>
    public int SlotCount { get; }

    /// <summary>Gets the index of the first drain operation (the workload proper is everything before it).</summary>
    public int DrainStart { get; }

    /// <summary>Gets the number of source calls that could not be replayed (frees of pointers never returned, failed calls).</summary>
    public long SkippedCalls { get; }

    /// <summary>Gets the number of calls one run performs, the drain included.</summary>
    public int Length => Operations.Length;
}
