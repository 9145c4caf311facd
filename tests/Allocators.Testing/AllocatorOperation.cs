// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Testing;

/// <summary>
/// One step of an operation sequence. <see cref="Index"/> picks a live block (modulo the live count, in allocation order),
/// so a sequence stays meaningful when shrinking removes steps.
/// </summary>
/// <param name="Kind">The call.</param>
/// <param name="Size">The size (element size for calloc).</param>
/// <param name="Count">The element count (calloc only).</param>
/// <param name="Alignment">The alignment (memalign only).</param>
/// <param name="Index">Which live block (free, realloc).</param>
public readonly record struct AllocatorOperation(OperationKind Kind, ulong Size, ulong Count = 1, ulong Alignment = 0, int Index = 0)
{
    /// <summary>malloc(size).</summary>
    public static AllocatorOperation Malloc(ulong size) => new(OperationKind.Allocate, size);

    /// <summary>calloc(count, size).</summary>
    public static AllocatorOperation Calloc(ulong count, ulong size) => new(OperationKind.Calloc, size, count);

    /// <summary>realloc(live[index], size).</summary>
    public static AllocatorOperation Realloc(int index, ulong size) => new(OperationKind.Realloc, size, Index: index);

    /// <summary>memalign(alignment, size).</summary>
    public static AllocatorOperation Memalign(ulong alignment, ulong size) => new(OperationKind.Memalign, size, Alignment: alignment);

    /// <summary>free(live[index]).</summary>
    public static AllocatorOperation Free(int index) => new(OperationKind.Free, 0, Index: index);

    /// <summary>malloc_trim(pad).</summary>
    public static AllocatorOperation Trim(ulong pad) => new(OperationKind.Trim, pad);

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        OperationKind.Allocate => $"malloc({Size})",
        OperationKind.Calloc => $"calloc({Count}, {Size})",
        OperationKind.Realloc => $"realloc(#{Index}, {Size})",
        OperationKind.Memalign => $"memalign({Alignment}, {Size})",
        OperationKind.Free => $"free(#{Index})",
        _ => $"trim({Size})",
    };
}
