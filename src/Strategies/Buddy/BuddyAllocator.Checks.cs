// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Generic;

namespace Allocators.Strategies.Buddy;

/// <content>The public invariant checker and the heap walker.</content>
public sealed partial class BuddyAllocator
{
    /// <summary>
    /// Verifies the buddy invariants. <see cref="HeapCheckLevel.Cheap"/>: B4 on every list head, B8 on the newest entry of
    /// every cache, and B6. <see cref="HeapCheckLevel.Full"/>: everything.
    /// </summary>
    /// <remarks>
    /// B1 every block (free or allocated) is aligned to its size; B2 no two free buddies of the same order (they would have
    /// merged); B3 the blocks of each region tile it exactly and free + allocated bytes = region bytes; B4 every free-list node
    /// is sound (its encoded prev/next words decode to links that agree, the map says free of that order) and each list is acyclic; B5 each list
    /// holds exactly the free blocks of its order in the maps and its count matches; B6 live blocks, requested bytes and block
    /// bytes match the statistics; B7 regions are aligned to their size and do not overlap, large blocks are mapped read-write;
    /// B8 the per-order caches: each entry is a block in a region, aligned to its order, that the map marks cached of that order,
    /// listed once, with its check word intact; the map's cached blocks are exactly the entries; no cache is over its capacity;
    /// a completely free region holds no cached block. Cached blocks count as free (B3) and are exempt from B2, which applies to
    /// the blocks on the free lists (Linux's per-CPU page lists are exempt the same way).
    /// </remarks>
    /// <param name="level">How much to check.</param>
    /// <returns>Every failure found, each with its id.</returns>
    public HeapCheckResult CheckHeap(HeapCheckLevel level)
    {
        _lock.Enter();
        try
        {
            return CheckHeapCore(level);
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<HeapBlock> WalkHeap()
    {
        _lock.Enter();
        try
        {
            var blocks = new List<HeapBlock>();
            foreach (BuddyRegion region in _regions)
            {
                ulong offset = 0;
                while (offset < region.Length)
                {
                    byte state = (byte)region.State[offset >> _minOrder];
                    if (state == 0)
                    {
                        break;
                    }

                    int order = DecodeOrder(state);
                    bool free = (state & BuddyRegion.FreeBit) != 0;
                    string detail = !free ? $"order {order}, requested {region.State[offset >> _minOrder] >> BuddyRegion.RequestedShift}"
                        : (state & BuddyRegion.CachedBit) != 0 ? $"order {order}, cached" : $"order {order}";
                    blocks.Add(new HeapBlock(region.Base + offset, 1UL << order, free ? HeapBlockKind.Free : HeapBlockKind.InUse, detail));
                    offset += 1UL << order;
                }
            }

            foreach (BuddyLargeBlock large in _large.Values)
            {
                blocks.Add(new HeapBlock(large.Address, large.UsableSize, HeapBlockKind.Mmapped, $"requested {large.RequestedSize}"));
            }

            blocks.Sort((a, b) => a.Address.CompareTo(b.Address));
            return blocks;
        }
        finally
        {
            _lock.Exit();
        }
    }

    private HeapCheckResult CheckHeapCore(HeapCheckLevel level)
    {
        if (level == HeapCheckLevel.None)
        {
            return HeapCheckResult.Success;
        }

        var failures = new List<HeapCheckFailure>();
        for (int order = _minOrder; order <= _maxOrder; order++)
        {
            ulong head = _freeHeads[order];
            if ((head == 0) != (_freeCounts[order] == 0))
            {
                failures.Add(new HeapCheckFailure("B5", head, $"order {order}: list head 0x{head:x} disagrees with count {_freeCounts[order]}"));
            }
            else if (head != 0 && ValidateNode(head, order) is string problem)
            {
                failures.Add(new HeapCheckFailure("B4", head, $"order {order}: {problem}"));
            }

            int cached = _cacheCounts[order];
            if (cached < 0 || cached > _cacheCapacity || (cached != 0) != ((_cachedOrders & (1UL << order)) != 0))
            {
                failures.Add(new HeapCheckFailure("B8", 0, $"order {order}: the cache holds {cached} blocks (capacity {_cacheCapacity}) and its non-empty bit is {((_cachedOrders >> order) & 1)}"));
            }
            else if (cached != 0 && ValidateCachedBlock(_cacheBlocks[(order * _cacheCapacity) + cached - 1], order) is string cacheProblem)
            {
                failures.Add(new HeapCheckFailure("B8", _cacheBlocks[(order * _cacheCapacity) + cached - 1], $"order {order}: {cacheProblem}"));
            }
        }

        ulong largeRequested = 0;
        foreach (BuddyLargeBlock large in _large.Values)
        {
            largeRequested += large.RequestedSize;
        }

        if (level == HeapCheckLevel.Cheap)
        {
            if (_regionRequestedBytes + largeRequested != _counters.AllocatedBytes)
            {
                failures.Add(new HeapCheckFailure("B6", 0, $"requested bytes {_regionRequestedBytes} + {largeRequested} (large) != statistics {_counters.AllocatedBytes}"));
            }

            return HeapCheckResult.From(failures);
        }

        var mapFree = new long[_maxOrder + 1];
        var mapCached = new long[_maxOrder + 1];
        long allocatedBlocks = 0;
        ulong allocatedBlockBytes = 0;
        ulong requested = 0;
        BuddyRegion? previous = null;
        foreach (BuddyRegion region in _regions)
        {
            if (region.Base % region.Length != 0 || (previous is not null && previous.End > region.Base))
            {
                failures.Add(new HeapCheckFailure("B7", region.Base, $"region 0x{region.Base:x} is misaligned or overlaps the previous region"));
            }

            previous = region;
            ulong offset = 0;
            ulong freeBytes = 0;
            ulong usedBytes = 0;
            while (offset < region.Length)
            {
                ulong unit = offset >> _minOrder;
                ulong word = region.State[unit];
                byte state = (byte)word;
                int order = DecodeOrder(state);
                bool free = (state & BuddyRegion.FreeBit) != 0;
                bool used = (state & BuddyRegion.AllocatedBit) != 0;
                bool cached = (state & BuddyRegion.CachedBit) != 0;
                if (state == 0 || free == used || (cached && !free) || order < _minOrder || order > _maxOrder || offset + (1UL << order) > region.Length)
                {
                    failures.Add(new HeapCheckFailure("B3", region.Base + offset, $"region 0x{region.Base:x}: no valid block starts at offset 0x{offset:x} (state 0x{state:x2})"));
                    break;
                }

                ulong size = 1UL << order;
                if (free && (word >> BuddyRegion.RequestedShift) != 0)
                {
                    failures.Add(new HeapCheckFailure("B6", region.Base + offset, $"free block 0x{region.Base + offset:x} records {word >> BuddyRegion.RequestedShift} requested bytes"));
                }

                if ((offset & (size - 1)) != 0)
                {
                    failures.Add(new HeapCheckFailure("B1", region.Base + offset, $"{(free ? "free" : "allocated")} block of order {order} is not aligned to its size"));
                }

                for (ulong u = unit + 1; u < (offset + size) >> _minOrder; u++)
                {
                    if (region.State[u] != 0)
                    {
                        failures.Add(new HeapCheckFailure("B3", region.Base + (u << _minOrder), $"a block starts inside block 0x{region.Base + offset:x} (order {order})"));
                        break;
                    }
                }

                if (cached)
                {
                    freeBytes += size;
                    mapCached[order]++;
                }
                else if (free)
                {
                    freeBytes += size;
                    mapFree[order]++;
                    if (order < _maxOrder)
                    {
                        ulong buddy = offset ^ size;
                        ulong buddyState = region.State[buddy >> _minOrder];
                        if (buddyState == FreeState(order) && buddy > offset)
                        {
                            failures.Add(new HeapCheckFailure("B2", region.Base + offset, $"free block 0x{region.Base + offset:x} and its buddy 0x{region.Base + buddy:x} are both free of order {order}"));
                        }
                    }
                }
                else
                {
                    usedBytes += size;
                    allocatedBlocks++;
                    allocatedBlockBytes += size;
                    ulong blockRequested = word >> BuddyRegion.RequestedShift;
                    requested += blockRequested;
                    if (blockRequested > size)
                    {
                        failures.Add(new HeapCheckFailure("B6", region.Base + offset, $"block of {size} bytes records {blockRequested} requested bytes"));
                    }
                }

                offset += size;
            }

            if (freeBytes + usedBytes != region.Length && failures.Count == 0)
            {
                failures.Add(new HeapCheckFailure("B3", region.Base, $"region 0x{region.Base:x}: free {freeBytes} + allocated {usedBytes} != {region.Length}"));
            }

            if (freeBytes != region.FreeBytes)
            {
                failures.Add(new HeapCheckFailure("B3", region.Base, $"region 0x{region.Base:x}: map has {freeBytes} free bytes, counter says {region.FreeBytes}"));
            }

            if (freeBytes == region.Length && RegionHasCachedBlocks(region))
            {
                failures.Add(new HeapCheckFailure("B8", region.Base, $"region 0x{region.Base:x} is completely free but still holds cached blocks (it should be one maximal free block)"));
            }
        }

        for (int order = _minOrder; order <= _maxOrder; order++)
        {
            CheckList(order, mapFree[order], failures);
            CheckCache(order, mapCached[order], failures);
        }

        if (allocatedBlocks + _large.Count != _counters.LiveBlocks || requested + largeRequested != _counters.AllocatedBytes || allocatedBlockBytes != _allocatedBlockBytes || requested != _regionRequestedBytes)
        {
            failures.Add(new HeapCheckFailure("B6", 0, $"maps hold {allocatedBlocks} blocks + {_large.Count} large, {requested} + {largeRequested} requested, {allocatedBlockBytes} block bytes; statistics say {_counters.LiveBlocks}, {_counters.AllocatedBytes}, {_allocatedBlockBytes}"));
        }

        foreach (BuddyLargeBlock large in _large.Values)
        {
            if (!_os.IsAccessible(large.MappingStart, large.MappingLength, Protection.ReadWrite))
            {
                failures.Add(new HeapCheckFailure("B7", large.Address, $"large block 0x{large.Address:x} ({large.MappingLength} bytes) is not mapped read-write"));
            }
        }

        return HeapCheckResult.From(failures);
    }

    private void CheckCache(int order, long expected, List<HeapCheckFailure> failures)
    {
        int count = _cacheCounts[order];
        var seen = new HashSet<ulong>();
        int start = order * _cacheCapacity;
        for (int i = 0; i < count && i < _cacheCapacity; i++)
        {
            ulong block = _cacheBlocks[start + i];
            if (!seen.Add(block))
            {
                failures.Add(new HeapCheckFailure("B8", block, $"order {order}: block 0x{block:x} is in the cache twice"));
            }
            else if (ValidateCachedBlock(block, order) is string problem)
            {
                failures.Add(new HeapCheckFailure("B8", block, $"order {order}: {problem}"));
            }
        }

        if (count != expected)
        {
            failures.Add(new HeapCheckFailure("B8", 0, $"order {order}: the cache holds {count} blocks, the maps mark {expected} blocks cached"));
        }
    }

    /// <summary>Checks one cache entry against the map and its check word; returns the problem, or null when sound.</summary>
    private string? ValidateCachedBlock(ulong block, int order)
    {
        BuddyRegion? region = FindRegion(block);
        if (region is null)
        {
            return $"cached block 0x{block:x} lies in no region";
        }

        ulong offset = block - region.Base;
        if ((offset & ((1UL << order) - 1)) != 0)
        {
            return $"cached block 0x{block:x} is not aligned to its order-{order} size";
        }

        ulong state = region.State[offset >> _minOrder];
        if (state != CachedState(order))
        {
            return state == 0
                ? $"the region map has no block at cached 0x{block:x}"
                : $"the region map says cached block 0x{block:x} is {DescribeState((byte)state)} of order {DecodeOrder((byte)state)}";
        }

        ulong word = Load(block);
        if (word != CacheKey(block, order))
        {
            return $"the check word of cached free block 0x{block:x} is 0x{word:x}, expected 0x{CacheKey(block, order):x} (written after free?)";
        }

        return null;
    }

    private void CheckList(int order, long expected, List<HeapCheckFailure> failures)
    {
        ulong node = _freeHeads[order];
        ulong prev = 0;
        long count = 0;
        while (node != 0)
        {
            if (count > expected)
            {
                failures.Add(new HeapCheckFailure("B4", node, $"order {order}: the list is longer than the {expected} free blocks in the maps (cycle or stray node)"));
                return;
            }

            if (!IsFreeHead(node, order, out string? why))
            {
                failures.Add(new HeapCheckFailure("B4", node, $"order {order}: node 0x{node:x} after 0x{prev:x}: {why}"));
                return;
            }

            if (prev != 0 && LoadPrev(node, order) != prev)
            {
                failures.Add(new HeapCheckFailure("B4", node, $"order {order}: free block 0x{node:x} has prev 0x{LoadPrev(node, order):x}, expected 0x{prev:x} (the node was overwritten after free?)"));
                return;
            }

            count++;
            prev = node;
            node = LoadNext(node, order);
        }

        if (count != expected || count != _freeCounts[order])
        {
            failures.Add(new HeapCheckFailure("B5", _freeHeads[order], $"order {order}: list holds {count} blocks, the maps {expected}, the counter {_freeCounts[order]}"));
        }
    }
}
