// Copyright (c) Allocators contributors. MIT License.

namespace Allocators;

/// <summary>One broken invariant found by a heap check.</summary>
/// <param name="Id">The invariant id documented beside the checker (for example <c>G1</c>, <c>B3</c>).</param>
/// <param name="Address">The address of the offending block, or 0.</param>
/// <param name="Message">What is wrong, with the numbers.</param>
public readonly record struct HeapCheckFailure(string Id, ulong Address, string Message)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Id} at 0x{Address:x}: {Message}";
}
