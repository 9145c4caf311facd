// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Runtime.CompilerServices;

namespace Allocators.Strategies.Slab;

/// <summary>
/// The out-of-band descriptor of one slab (Bonwick's kmem_slab): where its pages are, where its in-band free list
/// starts, and the out-of-band free bitmap that makes double frees detectable in O(1).
/// </summary>
/// <remarks>
/// Bitmap bit <c>i</c> is set while object <c>i</c> is not held by the program: either on the slab's in-band free list
/// (<see cref="SlabFree"/> of them) or in a magazine (<see cref="MagazineHeld"/> of them). The list a slab sits on
/// depends on <see cref="SlabFree"/> only: objects in magazines count as allocated from the slab's point of view.
/// </remarks>
internal sealed class SlabDescriptor
{
    public readonly SlabCache Cache;      // owning cache
    public ulong Base;                    // first byte of the mapping (page-aligned); changes only on reuse
    public readonly ulong Bytes;          // mapping length: PagesPerSlab pages
    public ulong Colour;                  // bytes skipped before object 0; changes only on reuse
    public ulong FirstObject;             // Base + Colour
    public readonly ulong[] FreeMap;      // bit i set: object i is free (slab list or magazine)
    public readonly uint[]? Requested;    // requested size of each live object, general caches only (rounding waste)
    public ulong FreeHead;                // first object on the in-band free list, 0 when none
    public int SlabFree;                  // objects on the in-band free list
    public int MagazineHeld;              // free objects parked in magazines
    public int ConstructedSlots;          // constructor calls made for this slab (S5)
    public SlabListKind List;             // the list the slab sits on
    public SlabDescriptor? Prev;                    // list links
    public SlabDescriptor? Next;

    public SlabDescriptor(SlabCache cache, ulong @base, ulong bytes, ulong colour, int capacity, bool trackRequested)
    {
        Cache = cache;
        Base = @base;
        Bytes = bytes;
        Colour = colour;
        FirstObject = @base + colour;
        FreeMap = new ulong[(capacity + 63) >> 6];
        Requested = trackRequested ? new uint[capacity] : null;
    }

    /// <summary>
    /// Readies a retired descriptor (its slab destroyed, off every list and out of the page map) for a new mapping of
    /// the same cache, so a cache that keeps mapping and unmapping slabs allocates no managed memory. The free map and
    /// the requested sizes are rewritten by the caller and on allocation, so they are kept.
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
        MagazineHeld = 0;
        ConstructedSlots = 0;
        List = SlabListKind.None;
        Prev = null;
        Next = null;
        Array.Clear(FreeMap);
    }

    /// <summary>Gets the number of objects the program holds.</summary>
    public int InUse => Cache.ObjectsPerSlab - SlabFree - MagazineHeld;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsFree(int index) => (FreeMap[index >> 6] & (1UL << index)) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void MarkFree(int index) => FreeMap[index >> 6] |= 1UL << index;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void MarkUsed(int index) => FreeMap[index >> 6] &= ~(1UL << index);
}
