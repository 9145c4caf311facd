// Copyright (c) Allocators contributors. MIT License.

using System.Numerics;
using System.Runtime.CompilerServices;
using Allocators.Os;

namespace Allocators.Strategies.Buddy;

/// <content>
/// The cache-hit paths of <see cref="Allocate"/> and <see cref="Free"/>, inlined into them: a malloc whose order's cache holds a
/// block, and a free whose order's cache has room in a region that does not become completely free. They touch the cache's
/// host array, the block's map word, its check word (one simulated word through the sealed <see cref="SimulatedOs"/>) and the
/// counters, and nothing else; every other case (and any doubt: a bad pointer, an overwritten check word) goes to the general
/// path, which checks, reports and counts exactly as before. Keeping the general path in calls of its own keeps the hit
/// path's frame small (few saved registers, no spills).
/// </content>
public sealed partial class BuddyAllocator
{
    /// <summary>The order of a request of 1..region-size bytes: the ceiling of its log2, at least <see cref="MinOrder"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int FastOrder(ulong size) => BitOperations.Log2((size - 1) | _unitMask) + 1;

    /// <summary>
    /// Allocates the newest cached block of <paramref name="order"/> (the cache is not empty) for <paramref name="size"/> bytes;
    /// an overwritten check word or a block outside the regions goes to the general path, which reports it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong AllocateCachedHit(SimulatedOs fast, int order, ulong size)
    {
        int count = _cacheCounts[order] - 1;
        ulong block = _cacheBlocks[(order * _cacheCapacity) + count];
        BuddyRegion? region = FindRegion(block);
        if (region is null || fast.ReadUInt64(block) != CacheKey(block, order))
        {
            return AllocateLocked(size);
        }

        _cacheCounts[order] = count;
        if (count == 0)
        {
            _cachedOrders &= ~(1UL << order);
        }

        ulong blockBytes = 1UL << order;
        region.FreeBytes -= blockBytes;
        region.State[(int)((block - region.Base) >> _minOrder)] = AllocatedState(order) | (size << BuddyRegion.RequestedShift);
        _allocatedBlockBytes += blockBytes;
        _regionRequestedBytes += size;
        _counters.OnAllocated(size);
        return block;
    }

    /// <summary>
    /// Frees <paramref name="address"/> into its order's cache when it is the start of an allocated region block, the cache has
    /// room and the region keeps another allocated block; false (nothing changed) otherwise, for the general path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryFreeCachedHit(ulong address)
    {
        if (_fastPathBytes == 0)
        {
            return false;
        }

        BuddyRegion? region = FindRegion(address);
        if (region is null)
        {
            return false;
        }

        ulong offset = address - region.Base;
        int unit = (int)(offset >> _minOrder);
        ulong[] map = region.State;
        ulong word = map[unit];
        if ((offset & _unitMask) != 0 || (word & BuddyRegion.AllocatedBit) == 0)
        {
            return false;
        }

        int order = DecodeOrder((byte)word);
        int count = _cacheCounts[order];
        ulong blockBytes = 1UL << order;
        if (count == _cacheCapacity || region.FreeBytes + blockBytes == _regionSize)
        {
            return false;
        }

        // The check word first: if the store faults, nothing has changed.
        _fastOs!.WriteUInt64(address, CacheKey(address, order));
        map[unit] = CachedState(order);
        region.FreeBytes += blockBytes;
        _cacheBlocks[(order * _cacheCapacity) + count] = address;
        _cacheCounts[order] = count + 1;
        _cachedOrders |= 1UL << order;
        _allocatedBlockBytes -= blockBytes;
        ulong requested = word >> BuddyRegion.RequestedShift;
        _regionRequestedBytes -= requested;
        _counters.OnFreed(requested);
        return true;
    }
}
