// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Strategies.Slab;

/// <summary>
/// What the malloc free fast path needs of a window page, 24 bytes (a <see cref="PageEntry"/> is 48): the size-class
/// cache of the slab on the page (null for a typed cache's page and an unused slot), its first object and slot base.
/// </summary>
internal struct FastPageEntry
{
    public SlabCache? General;
    public ulong FirstObject;
    public int SlotBase;
}
