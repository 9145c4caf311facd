// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads;

/// <summary>The allocation function a <see cref="TraceCall"/> records; the value is the letter of the text format.</summary>
public enum TraceCallKind : byte
{
    /// <summary><c>m</c>: malloc(size).</summary>
    Malloc = (byte)'m',

    /// <summary><c>c</c>: calloc(count, size).</summary>
    Calloc = (byte)'c',

    /// <summary><c>r</c>: realloc(pointer, size) (and reallocarray).</summary>
    Realloc = (byte)'r',

    /// <summary><c>a</c>: memalign / aligned_alloc / posix_memalign / valloc / pvalloc (alignment, size).</summary>
    Memalign = (byte)'a',

    /// <summary><c>f</c>: free(pointer).</summary>
    Free = (byte)'f',
}
