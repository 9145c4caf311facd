// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Strategies.Buddy;

/// <summary>
/// Out-of-band state of one region (one block of the largest order): one word per minimum-size unit saying whether a block
/// starts there, its order, whether it is free, cached or allocated, and (allocated) the size requested for it — one word, so
/// a free or an allocation touches one cache line of the map.
/// </summary>
/// <remarks>The user can write anywhere in simulated memory but never here, so a block's order never rests on user memory alone.</remarks>
internal sealed class BuddyRegion
{
    internal const byte AllocatedBit = 0x80;
    internal const byte FreeBit = 0x40;

    /// <summary>Set together with <see cref="FreeBit"/> on a free block held in the per-order cache (not on a free list, not merged).</summary>
    internal const byte CachedBit = 0x20;

    /// <summary>The encoded order (order - MinOrder + 1: at most 25, since a region spans at most 24 orders).</summary>
    internal const byte OrderMask = 0x1f;

    /// <summary>An allocated block's map word holds the requested size above the state byte.</summary>
    internal const int RequestedShift = 8;

    public BuddyRegion(ulong baseAddress, int maxOrder, int minOrder, BuddyRegionSource source)
        : this(baseAddress, maxOrder, source, new ulong[1 << (maxOrder - minOrder)])
    {
    }

    /// <summary>Initializes a region over a map recycled from a released region; it must be all zero.</summary>
    public BuddyRegion(ulong baseAddress, int maxOrder, BuddyRegionSource source, ulong[] state)
    {
        Base = baseAddress;
        Length = 1UL << maxOrder;
        Source = source;
        State = state;
    }

    public ulong Base { get; private set; }

    public ulong Length { get; }

    public ulong End => Base + Length;

    public BuddyRegionSource Source { get; }

    /// <summary>
    /// Per unit: 0 when no block starts there, else a state byte (order - MinOrder + 1) | FreeBit (on a free list),
    /// FreeBit | CachedBit (in the per-order cache) or AllocatedBit; an allocated block's word also holds the requested size
    /// shifted by <see cref="RequestedShift"/> (the bits above the state byte are zero otherwise).
    /// </summary>
    public ulong[] State { get; }

    public ulong FreeBytes { get; set; }

    public bool Contains(ulong address) => address >= Base && address < End;

    /// <summary>Moves a released region's (all zero) maps and this object to a new base, so a new region allocates nothing.</summary>
    public void Reuse(ulong baseAddress)
    {
        Base = baseAddress;
        FreeBytes = 0;
    }
}
