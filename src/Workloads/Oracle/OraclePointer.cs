// Copyright (c) Allocators contributors. MIT License.

using System.Globalization;

namespace Allocators.Workloads.Oracle;

/// <summary>A pointer result in a form that does not depend on address-space randomization.</summary>
/// <param name="Kind">Null, heap or mmapped.</param>
/// <param name="Offset">For <see cref="OraclePointerKind.Heap"/> the offset from the initial break; for <see cref="OraclePointerKind.Mmap"/> and <see cref="OraclePointerKind.Outside"/> the offset in its page; 0 for null.</param>
public readonly record struct OraclePointer(OraclePointerKind Kind, ulong Offset)
{
    /// <summary>Gets the null pointer.</summary>
    public static OraclePointer Null => default;

    /// <summary>Gets the oracle's text form: <c>0</c>, <c>hHEX</c>, <c>mHEX</c> or <c>xHEX</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Kind switch
    {
        OraclePointerKind.Heap => string.Create(CultureInfo.InvariantCulture, $"h{Offset:x}"),
        OraclePointerKind.Mmap => string.Create(CultureInfo.InvariantCulture, $"m{Offset:x}"),
        OraclePointerKind.Outside => string.Create(CultureInfo.InvariantCulture, $"x{Offset:x}"),
        _ => "0",
    };
}
