// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Strategies.Slab;

/// <summary>The cache list a slab sits on.</summary>
internal enum SlabListKind
{
    /// <summary>Not on any list (being created or destroyed).</summary>
    None,

    /// <summary>Every object allocated (no in-band free object).</summary>
    Full,

    /// <summary>Some objects free, some allocated.</summary>
    Partial,

    /// <summary>Every object on the in-band free list.</summary>
    Empty,
}
