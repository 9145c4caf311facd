// Copyright (c) Allocators contributors. MIT License.

namespace Allocators;

/// <summary>The state of a block in a heap walk.</summary>
public enum HeapBlockKind
{
    /// <summary>Handed out to the program.</summary>
    InUse,

    /// <summary>Free and held in a per-thread or fast cache (glibc tcache/fastbin, slab magazine): counted as in use by the arena.</summary>
    Cached,

    /// <summary>Free and available for reuse (a bin, a buddy order, a slab free list).</summary>
    Free,

    /// <summary>The top chunk (wilderness) at the end of a heap.</summary>
    Top,

    /// <summary>A block that has a mapping of its own.</summary>
    Mmapped,

    /// <summary>A PROT_NONE guard page.</summary>
    Guard,

    /// <summary>Allocator metadata (tcache structure, heap_info, slab descriptors).</summary>
    Metadata,
}
