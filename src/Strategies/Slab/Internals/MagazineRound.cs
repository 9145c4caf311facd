// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Strategies.Slab;

/// <summary>One object parked in a magazine: its slab and index travel with it so a magazine pop needs no lookup.</summary>
internal struct MagazineRound
{
    public SlabDescriptor Slab;    // owning slab
    public ulong Address;    // object address
    public int Index;        // object index in the slab
}
