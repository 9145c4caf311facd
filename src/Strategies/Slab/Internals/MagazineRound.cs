// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Strategies.Slab;

/// <summary>
/// One object parked in a magazine: its address and its slot in the cache's state table (slab id x slots per slab +
/// index), so a magazine pop marks it used without finding its slab. No object reference: a push stores no GC pointer.
/// </summary>
internal struct MagazineRound
{
    public ulong Address;    // object address
    public int Slot;         // SlabDescriptor.SlotBase + index
}
