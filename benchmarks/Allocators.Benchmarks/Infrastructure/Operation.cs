// Copyright (c) Allocators contributors. MIT License.

using System.Runtime.InteropServices;

namespace Allocators.Benchmarks.Infrastructure;

/// <summary>
/// One pre-decoded allocation call: what to call, which pointer slot it reads and writes, and its arguments.
/// Both sides of a head-to-head benchmark execute the same array of these, so the timed loop does no parsing and
/// no dictionary look-ups: a pointer is an index into a flat slot array.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct Operation
{
    /// <summary>Creates an operation.</summary>
    public Operation(OperationKind kind, int slot, ulong argument1 = 0, ulong argument2 = 0)
    {
        Kind = kind;
        Slot = slot;
        Argument1 = argument1;
        Argument2 = argument2;
    }

    /// <summary>Gets the call.</summary>
    public OperationKind Kind { get; }

    /// <summary>Gets the pointer slot the call reads (realloc, free) or writes (every allocating call).</summary>
    public int Slot { get; }

    /// <summary>Gets the size (malloc, realloc), the count (calloc) or the alignment (memalign).</summary>
    public ulong Argument1 { get; }

    /// <summary>Gets the element size (calloc) or the size (memalign); 0 otherwise.</summary>
    public ulong Argument2 { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Kind} slot={Slot} {Argument1} {Argument2}";
}
