// Copyright (c) Allocators contributors. MIT License.

namespace Allocators;

/// <summary>The kind of a memory access.</summary>
public enum MemoryAccessKind
{
    /// <summary>A load.</summary>
    Read,

    /// <summary>A store.</summary>
    Write,
}
