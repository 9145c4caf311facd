// Copyright (c) Allocators contributors. MIT License.

using System;

namespace Allocators;

/// <summary>mremap flags (MREMAP_*).</summary>
[Flags]
public enum MremapFlags
{
    /// <summary>Only in place.</summary>
    None = 0,

    /// <summary>MREMAP_MAYMOVE: move when the mapping cannot grow in place.</summary>
    MayMove = 1,

    /// <summary>MREMAP_FIXED: move to the given new address (requires MayMove).</summary>
    Fixed = 2,
}
