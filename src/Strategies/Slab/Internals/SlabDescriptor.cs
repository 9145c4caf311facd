// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Runtime.CompilerServices;

namespace Allocators.Strategies.Slab;

/// <summary>
/// The out-of-band descriptor of one slab (Bonwick's kmem_slab): where its pages are, where its in-band free list
/// starts, and which slots of its cache's state and requested-size tables are its own.
/// </summary>
/// <remarks>
/// The slot states live in the cache (<see cref="SlabCache.States"/>), one run of SlotsPerSlab bytes per slab id, so the
/// magazine layer marks an object used or free with the slot number it carries and never touches the descriptor.
/// State <see cref="SlotBase"/> + <c>i</c> is SlotFree while object <c>i</c> is not held by the program: either on the slab's
/// in-band free list (<see cref="SlabFree"/> of them) or in a magazine. The list a slab sits on depends on
/// <see cref="SlabFree"/> only: objects in magazines count as allocated from the slab's point of view.
/// </remarks>
internal sealed class SlabDescriptor
{
    public readonly SlabCache Cache;      // owning cache
    public readonly int Id;               // slab id within the cache: its run of slot states; kept on reuse
    public readonly int SlotBase;         // Id x SlotsPerSlab: slot of object 0 in the cache's state and requested tables
    public ulong Base;                    // first byte of the mapping (page-aligned); changes only on reuse
    public readonly ulong Bytes;          // mapping length: PagesPerSlab pages
    public ulong Colour;                  // bytes skipped before object 0; changes only on reuse
    public ulong FirstObject;             // Base + Colour
    public ulong FreeHead;                // first object on the in-band free list, 0 when none
    public int SlabFree;                  // objects on the in-band free list
    public int ConstructedSlots;          // constructor calls made for this slab (S5)
    public SlabListKind List;             // the list the slab sits on
    public SlabDescriptor? Prev;          // list links
    public SlabDescriptor? Next;

    public SlabDescriptor(SlabCache cache, int id, ulong @base, ulong bytes, ulong colour)
    {
        Cache = cache;
        Id = id;
        SlotBase = id * cache.SlotsPerSlab;
        Base = @base;
        Bytes = bytes;
        Colour = colour;
        FirstObject = @base + colour;
    }

    /// <summary>
    /// Readies a retired descriptor (its slab destroyed, off every list and out of the page map) for a new mapping of
    /// the same cache, so a cache that keeps mapping and unmapping slabs allocates no managed memory. The caller
    /// rewrites the slab's slot states; requested sizes are written on allocation.
    /// </summary>
    /// <param name="base">The first byte of the new mapping.</param>
    /// <param name="colour">The colour of the new slab.</param>
    public void Reuse(ulong @base, ulong colour)
    {
        Base = @base;
        Colour = colour;
        FirstObject = @base + colour;
        FreeHead = 0;
        SlabFree = 0;
        ConstructedSlots = 0;
        List = SlabListKind.None;
        Prev = null;
        Next = null;
    }

    /// <summary>Gets the number of objects not held by the program (state SlotFree: on the free list or in a magazine).</summary>
    public int FreeCount => Cache.States.AsSpan(SlotBase, Cache.SlotsPerSlab).Count(SlabCache.SlotFree);

    /// <summary>Gets the number of free objects of this slab parked in magazines.</summary>
    public int MagazineHeld => FreeCount - SlabFree;

    /// <summary>Gets the number of objects the program holds.</summary>
    public int InUse => Cache.ObjectsPerSlab - FreeCount;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsFree(int index) => Cache.IsSlotFree(SlotBase + index);
}
