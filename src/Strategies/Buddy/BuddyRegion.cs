// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Strategies.Buddy;

/// <summary>
/// Out-of-band state of one region (one block of the largest order): a byte per minimum-size unit saying whether a block
/// starts there, its order and whether it is free or allocated, and the size requested for each allocated block.
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

    public BuddyRegion(ulong baseAddress, int maxOrder, int minOrder, BuddyRegionSource source)
        : this(baseAddress, maxOrder, source, new byte[1 << (maxOrder - minOrder)], new uint[1 << (maxOrder - minOrder)])
    {
    }

    /// <summary>Initializes a region over maps recycled from a released region; both must be all zero.</summary>
    public BuddyRegion(ulong baseAddress, int maxOrder, BuddyRegionSource source, byte[] state, uint[] requested)
    {
        Base = baseAddress;
        Length = 1UL << maxOrder;
        Source = source;
        State = state;
        Requested = requested;
    }

    public ulong Base { get; private set; }

    public ulong Length { get; }

    public ulong End => Base + Length;

    public BuddyRegionSource Source { get; }

    /// <summary>Per unit: 0 when no block starts there, else (order - MinOrder + 1) | FreeBit (on a free list), FreeBit | CachedBit (in the per-order cache) or AllocatedBit.</summary>
    public byte[] State { get; }

    /// <summary>Per unit: the size requested for the allocated block starting there.</summary>
    public uint[] Requested { get; }

    public ulong FreeBytes { get; set; }

    public bool Contains(ulong address) => address >= Base && address < End;

    /// <summary>Moves a released region's (all zero) maps and this object to a new base, so a new region allocates nothing.</summary>
    public void Reuse(ulong baseAddress)
    {
        Base = baseAddress;
        FreeBytes = 0;
    }
}
