// Copyright (c) Allocators contributors. MIT License.

using System;

namespace Allocators;

/// <summary>
/// An allocator found its metadata inconsistent: a double free, a corrupted header or link, a broken invariant.
/// Where a glibc check is mirrored, <see cref="Check"/> carries glibc's own message
/// (for example <c>free(): double free detected in tcache 2</c>).
/// </summary>
public sealed class HeapCorruptionException : InvalidOperationException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="strategy">The strategy name.</param>
    /// <param name="operation">The call that found the problem (for example <c>Free</c>).</param>
    /// <param name="address">The address of the block involved.</param>
    /// <param name="check">The check that fired (glibc's message where one is mirrored).</param>
    /// <param name="detail">Facts for the reader, <c>name=value</c> pairs.</param>
    public HeapCorruptionException(string strategy, string operation, ulong address, string check, string? detail = null)
        : base(Format(strategy, operation, address, check, detail))
    {
        Strategy = strategy;
        Operation = operation;
        Address = address;
        Check = check;
    }

    /// <summary>Gets the strategy name.</summary>
    public string Strategy { get; }

    /// <summary>Gets the operation that found the problem.</summary>
    public string Operation { get; }

    /// <summary>Gets the address of the block involved.</summary>
    public ulong Address { get; }

    /// <summary>Gets the check that fired; glibc's exact message where a glibc check is mirrored.</summary>
    public string Check { get; }

    private static string Format(string strategy, string operation, ulong address, string check, string? detail)
        => detail is null
            ? $"{operation}: {check} (strategy={strategy}, address=0x{address:x})."
            : $"{operation}: {check} (strategy={strategy}, address=0x{address:x}, {detail}).";
}
