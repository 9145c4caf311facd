// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Strategies.Slab;

/// <summary>
/// One page-map slot: the page and, copied from its slab's descriptor, what a free needs to validate an address and
/// find its slot, so the free path reads one slot and never the descriptor itself.
/// </summary>
internal struct PageEntry
{
    public ulong Key;              // page number + 1; 0 marks an empty slot
    public SlabCache? Cache;       // the slab's cache
    public SlabCache? General;     // Cache when it is a size class (the malloc free fast path), null for a typed cache
    public SlabDescriptor? Slab;   // the slab
    public ulong FirstObject;      // Slab.FirstObject
    public int SlotBase;           // Slab.SlotBase
}
