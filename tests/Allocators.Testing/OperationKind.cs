// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Testing;

/// <summary>The calls an operation sequence is made of.</summary>
public enum OperationKind
{
    /// <summary>malloc(size).</summary>
    Allocate,

    /// <summary>calloc(count, size).</summary>
    Calloc,

    /// <summary>realloc(i-th live block, size); realloc(0, size) when nothing is live.</summary>
    Realloc,

    /// <summary>memalign(alignment, size).</summary>
    Memalign,

    /// <summary>free(i-th live block); free(0) when nothing is live.</summary>
    Free,

    /// <summary>malloc_trim(pad).</summary>
    Trim,
}
