// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Allocators.Strategies.Buddy;

/// <content>
/// The per-order cache of freed blocks (Linux's per-CPU page lists): a bounded LIFO per order, out of band, whose blocks are
/// free but not merged. See <see cref="BuddyAllocatorOptions.PerOrderCacheBlocks"/>.
/// </content>
/// <remarks>
/// <para>A cached block is free: the map marks it <c>FreeBit | CachedBit</c> of its order, its bytes count in the region's free
/// bytes and in the statistics. It is on no free list and is exempt from "no two free buddies" (B2), exactly as Linux's pcp
/// pages are; the buddy lists themselves still never hold two free buddies, because a merge only looks at list blocks and a
/// drained block merges with every list buddy it finds.</para>
/// <para>Its first word holds a check word (an XOR key of its address and order); a block taken from the cache or drained is
/// checked, so a write after free into a cached block is reported, naming the block. A double free of a cached block is found
/// by the map (the block is not allocated), before anything changes.</para>
/// <para>A region never holds cached blocks once it is completely free: the free that would empty it first drains its cached
/// blocks and then merges, so a completely free region is one maximal free block (what the keep policy and Trim release).</para>
/// </remarks>
public sealed partial class BuddyAllocator
{
    private const ulong CacheMagic = 0x7C4C_ACE0_5EED_0D11UL;

    /// <summary>The check word a cached block of <paramref name="order"/> at <paramref name="block"/> carries in its first 8 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong CacheKey(ulong block, int order) => BitOperations.RotateLeft(NextKey(block, order), 17) ^ CacheMagic;

    /// <summary>The map byte of a free block of <paramref name="order"/> held in the cache.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte CachedState(int order) => (byte)(BuddyRegion.FreeBit | BuddyRegion.CachedBit | (order - _minOrder + 1));

    /// <summary>
    /// Frees a validated allocated block into its order's cache (the caller made sure the region does not become completely
    /// free); a full cache first gives its older half back with merging. Returns the size that was requested for the block.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong CacheFree(BuddyRegion region, ulong offset, int order)
    {
        int count = _cacheCounts[order];
        if (count == _cacheCapacity)
        {
            DrainOldest(order, Math.Max(1, count / 2), "free");
            count = _cacheCounts[order];
        }

        ulong block = region.Base + offset;

        // The check word first: if the store faults, nothing has changed.
        Store(block, CacheKey(block, order));
        ulong unit = offset >> _minOrder;
        ulong requested = region.State[unit] >> BuddyRegion.RequestedShift;
        region.State[unit] = CachedState(order);
        region.FreeBytes += 1UL << order;
        _cacheBlocks[(order * _cacheCapacity) + count] = block;
        _cacheCounts[order] = count + 1;
        _cachedOrders |= 1UL << order;
        _allocatedBlockBytes -= 1UL << order;
        _regionRequestedBytes -= requested;
        return requested;
    }

    /// <summary>Takes the most recently cached block of <paramref name="order"/> after checking its check word, and marks it allocated.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong TakeCached<TMem>(TMem mem, int order, uint requested, string operation)
        where TMem : struct, IBuddyMemory
    {
        ulong block = PopCached(mem, order, operation);
        BuddyRegion region = FindRegion(block) ?? throw CachedOutsideRegions(operation, block, order);
        ulong unit = (block - region.Base) >> _minOrder;
        region.FreeBytes -= 1UL << order;
        region.State[unit] = AllocatedState(order) | ((ulong)requested << BuddyRegion.RequestedShift);
        return block;
    }

    /// <summary>
    /// Takes the most recently cached block of <paramref name="order"/> off the cache (checked); the map still says cached
    /// and the region's free bytes still count it — the caller (<see cref="TakeCached"/>, or a split) updates both.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong PopCached<TMem>(TMem mem, int order, string operation)
        where TMem : struct, IBuddyMemory
    {
        int count = _cacheCounts[order] - 1;
        ulong block = _cacheBlocks[(order * _cacheCapacity) + count];
        if (mem.Load(block) != CacheKey(block, order))
        {
            throw CorruptCachedBlock(operation, block, order);
        }

        _cacheCounts[order] = count;
        if (count == 0)
        {
            _cachedOrders &= ~(1UL << order);
        }

        return block;
    }

    /// <summary>
    /// A cached block's check word was overwritten (the user wrote to the block after freeing it). Nothing of the allocator
    /// lives in the block besides that word, and the block's state is out of band, so the word is stamped again and the block
    /// stays cached: the allocator is consistent, and the error names the block.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private HeapCorruptionException CorruptCachedBlock(string operation, ulong block, int order)
    {
        ulong found = Load(block);
        Store(block, CacheKey(block, order));
        return new HeapCorruptionException(StrategyName, operation, block, $"corrupted per-order cache (order {order})", $"the check word of cached free block 0x{block:x} ({1UL << order} bytes) is 0x{found:x}, expected 0x{CacheKey(block, order):x}: the block was written after it was freed (use after free or overflow); the word was stamped again and the block stays cached");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private HeapCorruptionException CachedOutsideRegions(string operation, ulong block, int order)
        => new(StrategyName, operation, block, $"corrupted per-order cache (order {order})", $"cached block 0x{block:x} lies in no region");

    /// <summary>
    /// Takes one block off its order's cache and links it on its free list unmerged: only for a block whose buddy is allocated
    /// (realloc is about to absorb it), so no two list buddies result.
    /// </summary>
    private void ListCachedBlock(ulong block, int order, string operation)
    {
        int start = order * _cacheCapacity;
        int count = _cacheCounts[order];
        int index = count - 1;
        while (index >= 0 && _cacheBlocks[start + index] != block)
        {
            index--;
        }

        if (index < 0)
        {
            throw new HeapCorruptionException(StrategyName, operation, block, $"corrupted per-order cache (order {order})", $"the map says block 0x{block:x} is cached but no cache entry holds it");
        }

        BuddyRegion region = FindRegion(block) ?? throw CachedOutsideRegions(operation, block, order);
        LinkRaw(block, order);
        region.State[(block - region.Base) >> _minOrder] = FreeState(order);
        Array.Copy(_cacheBlocks, start + index + 1, _cacheBlocks, start + index, count - index - 1);
        _cacheCounts[order] = count - 1;
        if (count == 1)
        {
            _cachedOrders &= ~(1UL << order);
        }
    }

    /// <summary>Gives a cached block back to the free lists, merged with its free buddies (its bytes are already counted free).</summary>
    private void MergeCached(BuddyRegion region, ulong offset, int order, string operation)
    {
        if (_fastOs is { } fast)
        {
            MergeAndPush(new BuddyDirectMemory(fast), region, offset, order, operation);
        }
        else
        {
            MergeAndPush(new BuddyProcessMemory(_os), region, offset, order, operation);
        }
    }

    /// <summary>
    /// Gives the <paramref name="count"/> oldest cached blocks of <paramref name="order"/> back to the free lists with merging.
    /// Every drained block's check word is checked; the first overwritten one is reported once the drain is complete (the block
    /// got a fresh node, so the allocator is consistent).
    /// </summary>
    private void DrainOldest(int order, int count, string operation)
    {
        int start = order * _cacheCapacity;
        int held = _cacheCounts[order];
        int done = 0;
        ulong corrupted = 0;
        ulong corruptedWord = 0;
        try
        {
            for (; done < count; done++)
            {
                ulong block = _cacheBlocks[start + done];
                BuddyRegion region = FindRegion(block) ?? throw CachedOutsideRegions(operation, block, order);
                ulong word = Load(block);
                if (corrupted == 0 && word != CacheKey(block, order))
                {
                    corrupted = block;
                    corruptedWord = word;
                }

                MergeCached(region, block - region.Base, order, operation);
            }
        }
        finally
        {
            Array.Copy(_cacheBlocks, start + done, _cacheBlocks, start, held - done);
            _cacheCounts[order] = held - done;
            if (held == done)
            {
                _cachedOrders &= ~(1UL << order);
            }
        }

        if (corrupted != 0)
        {
            throw CorruptDrained(operation, corrupted, order, corruptedWord);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private HeapCorruptionException CorruptDrained(string operation, ulong block, int order, ulong word)
        => new(StrategyName, operation, block, $"corrupted per-order cache (order {order})", $"the check word of cached free block 0x{block:x} ({1UL << order} bytes) was 0x{word:x}, expected 0x{CacheKey(block, order):x}: the block was written after it was freed (use after free or overflow); the cache was drained to the free lists, so the allocator is consistent");

    /// <summary>Gives every cached block back to the free lists with merging (before a new region would be mapped, and on Trim).</summary>
    private void DrainAll(string operation)
    {
        HeapCorruptionException? first = null;
        ulong orders = _cachedOrders;
        while (orders != 0)
        {
            int order = BitOperations.TrailingZeroCount(orders);
            orders &= orders - 1;
            try
            {
                DrainOldest(order, _cacheCounts[order], operation);
            }
            catch (HeapCorruptionException error) when (error.Check.StartsWith("corrupted per-order cache", StringComparison.Ordinal))
            {
                // The drain completed; report the first overwritten block once every order is drained.
                first ??= error;
            }
        }

        if (first is not null)
        {
            throw first;
        }
    }

    /// <summary>
    /// Gives the cached blocks of <paramref name="region"/> back to the free lists with merging: called before a free that
    /// would leave the region completely free, so that the region is then one maximal free block.
    /// </summary>
    private void DrainRegion(BuddyRegion region, string operation)
    {
        ulong corrupted = 0;
        int corruptedOrder = 0;
        ulong corruptedWord = 0;
        ulong orders = _cachedOrders;
        while (orders != 0)
        {
            int order = BitOperations.TrailingZeroCount(orders);
            orders &= orders - 1;
            int start = order * _cacheCapacity;
            int held = _cacheCounts[order];
            int kept = 0;
            int i = 0;
            try
            {
                for (; i < held; i++)
                {
                    ulong block = _cacheBlocks[start + i];
                    if (!region.Contains(block))
                    {
                        _cacheBlocks[start + kept] = block;
                        kept++;
                        continue;
                    }

                    ulong word = Load(block);
                    if (corrupted == 0 && word != CacheKey(block, order))
                    {
                        (corrupted, corruptedOrder, corruptedWord) = (block, order, word);
                    }

                    MergeCached(region, block - region.Base, order, operation);
                }
            }
            finally
            {
                // Entries from i on (i itself when its merge threw) stay cached.
                Array.Copy(_cacheBlocks, start + i, _cacheBlocks, start + kept, held - i);
                int left = kept + held - i;
                _cacheCounts[order] = left;
                if (left == 0)
                {
                    _cachedOrders &= ~(1UL << order);
                }
            }
        }

        if (corrupted != 0)
        {
            throw CorruptDrained(operation, corrupted, corruptedOrder, corruptedWord);
        }
    }

    /// <summary>Whether <paramref name="region"/> holds any cached block (for the checker).</summary>
    private bool RegionHasCachedBlocks(BuddyRegion region)
    {
        for (int order = _minOrder; order <= _maxOrder; order++)
        {
            int start = order * _cacheCapacity;
            for (int i = 0; i < _cacheCounts[order]; i++)
            {
                if (region.Contains(_cacheBlocks[start + i]))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
