// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Allocators.Os;
using Allocators.Strategies.Shared;
using Microsoft.Extensions.Options;

namespace Allocators.Strategies.Buddy;

/// <summary>
/// The <c>buddy</c> strategy: a binary buddy allocator in the spirit of the Linux page allocator. Regions of
/// 2^<see cref="BuddyAllocatorOptions.MaxOrder"/> bytes come from the OS aligned to their size; an allocation takes the
/// smallest free block of a sufficient order and splits it down; a free merges the block with its buddy (offset XOR size)
/// while the buddy is free.
/// </summary>
/// <remarks>
/// <para>The per-order free lists live in simulated memory, doubly linked through the free blocks: a free block starts with
/// its <c>next</c> and <c>prev</c> links, each XORed with a key of the block's address and order, so an overwritten word does not
/// decode to a free block of that order linking back. List heads and counts are out of band, like Linux's <c>free_area</c>.</para>
/// <para>A block's order and state come from an out-of-band per-region map, never from user-writable memory alone. A corrupted
/// free-list node is detected when it is used or checked; the lists are then rebuilt from the map (so the allocator stays
/// consistent) and a <see cref="HeapCorruptionException"/> names the block.</para>
/// <para>Blocks carry no header: the address handed out is the block start, aligned to the block size.</para>
/// </remarks>
public sealed partial class BuddyAllocator : IAllocator, IHeapWalker
{
    /// <summary>The strategy name.</summary>
    public const string StrategyName = "buddy";

    internal const ulong MaxRequestBytes = long.MaxValue;

    private const int FreedHistoryCapacity = 1024;

    /// <summary>At most this much host memory is kept in the maps of released regions for reuse.</summary>
    private const ulong SpareMapBudgetBytes = 16UL << 20;

    /// <summary>The adaptive keep policy keeps at most this much empty region memory.</summary>
    private const ulong AdaptiveKeepBudgetBytes = 64UL << 20;

    /// <summary>The allocator's lock (a mutable struct: never make this field readonly, that would lock a copy).</summary>
    private BuddySpinLock _lock;
    private readonly ISimulatedOs _os;
    private readonly SimulatedOs? _fastOs;
    private readonly ulong _pageSize;
    private readonly int _minOrder;
    private readonly int _maxOrder;
    private readonly ulong _regionSize;
    private readonly ulong _unitMask;

    /// <summary>Clears the offset inside a region: <c>~(region size - 1)</c>.</summary>
    private readonly ulong _regionBaseMask;
    private readonly BuddyRegionSource _source;
    private readonly int _keepEmptyRegions;

    /// <summary>The most empty regions the adaptive policy keeps: 64 MiB of them (glibc's largest dynamic trim threshold on 64-bit), at least the option.</summary>
    private readonly int _maxKeepEmptyRegions;
    private readonly HeapCheckLevel _checkLevel;
    private readonly ulong[] _freeHeads;
    private readonly long[] _freeCounts;

    /// <summary>Blocks a cache holds at most per order (0: no cache, every free merges).</summary>
    private readonly int _cacheCapacity;

    /// <summary>The per-order caches: order k's entries are <c>[k * capacity, k * capacity + count)</c>, oldest first.</summary>
    private readonly ulong[] _cacheBlocks;

    /// <summary>How many blocks each order's cache holds.</summary>
    private readonly int[] _cacheCounts;

    /// <summary>
    /// Requests of 1..this many bytes may take the inlined cache-hit paths (<see cref="AllocateCachedHit"/>,
    /// <see cref="TryFreeCachedHit"/>): the region size, or 0 when there is no cache, a per-call check, or another OS.
    /// </summary>
    private readonly ulong _fastPathBytes;
    private readonly List<BuddyRegion> _regions = [];
    private readonly Dictionary<ulong, BuddyLargeBlock> _large = [];
    private readonly HashSet<ulong> _freedHistory = [];
    private readonly Queue<ulong> _freedOrder = new();
    private readonly Stack<BuddyRegion> _spareMaps = new();

    /// <summary>Regions by <c>base &gt;&gt; MaxOrder</c> (they are aligned to their size), open addressing; always has an empty slot.</summary>
    private BuddyRegion?[] _regionTable = new BuddyRegion?[4];

    /// <summary>Bit k set when the order-k free list is not empty (like the heads, out of band).</summary>
    private ulong _nonEmptyOrders;

    /// <summary>Bit k set when the order-k cache is not empty.</summary>
    private ulong _cachedOrders;

    /// <summary>How many empty regions are kept now: starts at the option and rises on thrash (see <see cref="NoteRegionAdded"/>).</summary>
    private int _keepEmptyLimit;

    /// <summary>Regions the keep policy gave back that have not yet been mapped again.</summary>
    private int _releasedByPolicy;
    private ulong _allocatedBlockBytes;
    private ulong _regionRequestedBytes;
    private ulong _largeMappedBytes;
    private StatisticsCounters _counters;

    /// <summary>Initializes a new instance of the <see cref="BuddyAllocator"/> class.</summary>
    /// <param name="os">The simulated process regions are obtained from.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="OptionsValidationException">The options are invalid.</exception>
    public BuddyAllocator(ISimulatedOs os, BuddyAllocatorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(os);
        options ??= new BuddyAllocatorOptions();
        ValidateOptionsResult validation = new BuddyAllocatorOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(BuddyAllocatorOptions), validation.Failures);
        }

        if ((1UL << options.MaxOrder) < (ulong)os.PageSize)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(BuddyAllocatorOptions), [$"Property MaxOrder: a region (2^{options.MaxOrder} bytes) must hold at least one page of the process ({os.PageSize} bytes)."]);
        }

        _os = os;
        _fastOs = os as SimulatedOs;
        _pageSize = (ulong)os.PageSize;
        _minOrder = options.MinOrder;
        _maxOrder = options.MaxOrder;
        _regionSize = 1UL << _maxOrder;
        _unitMask = (1UL << _minOrder) - 1;
        _regionBaseMask = ~(_regionSize - 1);
        _source = options.RegionSource;
        _keepEmptyRegions = options.KeepEmptyRegions;
        _keepEmptyLimit = options.KeepEmptyRegions;
        _maxKeepEmptyRegions = options.KeepEmptyRegions == 0 ? 0 : Math.Max(options.KeepEmptyRegions, (int)(AdaptiveKeepBudgetBytes >> options.MaxOrder));
        _checkLevel = options.CheckLevel;
        _freeHeads = new ulong[_maxOrder + 1];
        _freeCounts = new long[_maxOrder + 1];
        _cacheCapacity = options.PerOrderCacheBlocks;
        _cacheBlocks = new ulong[(_maxOrder + 1) * _cacheCapacity];
        _cacheCounts = new int[_maxOrder + 1];
        _fastPathBytes = _cacheCapacity != 0 && _checkLevel == HeapCheckLevel.None && _fastOs is not null ? _regionSize : 0;
    }

    /// <inheritdoc />
    public string Name => StrategyName;

    /// <inheritdoc />
    public ISimulatedOs Os => _os;

    /// <summary>Gets the smallest block order.</summary>
    public int MinOrder => _minOrder;

    /// <summary>Gets the largest block order (the region size is 2^MaxOrder bytes).</summary>
    public int MaxOrder => _maxOrder;

    /// <summary>Gets how many completely free regions are kept now (the option, raised by the adaptive policy on map/unmap thrash).</summary>
    public int KeptEmptyRegionLimit
    {
        get
        {
            _lock.Enter();
            try
            {
                return _keepEmptyLimit;
            }
            finally
            {
                _lock.Exit();
            }
        }
    }

    /// <summary>Gets the number of regions currently held.</summary>
    public int RegionCount
    {
        get
        {
            _lock.Enter();
            try
            {
                return _regions.Count;
            }
            finally
            {
                _lock.Exit();
            }
        }
    }

    /// <inheritdoc />
    public ulong Allocate(ulong size)
    {
        _lock.Enter();
        try
        {
            // The hit path (a block of the size's order in its cache) inlined here; anything else in a call of its own.
            int order;
            if (size - 1 < _fastPathBytes && _cacheCounts[order = FastOrder(size)] != 0 && _fastOs is { } fast)
            {
                return AllocateCachedHit(fast, order, size);
            }

            return AllocateLocked(size);
        }
        finally
        {
            _lock.Exit();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong AllocateLocked(ulong size)
    {
        ulong address = AllocateCore(size, 0);
        if (_checkLevel != HeapCheckLevel.None)
        {
            AfterCall("malloc");
        }

        return address;
    }

    /// <inheritdoc />
    public ulong AllocateZeroed(ulong count, ulong size)
    {
        _lock.Enter();
        try
        {
            if (!AlignmentMath.TryMultiply(count, size, out ulong total))
            {
                _counters.OnFailed(AllocationFailure.OutOfMemory);
                return 0;
            }

            ulong address = AllocateCore(total, 0);
            if (address != 0 && !_large.ContainsKey(address))
            {
                // Region blocks may be recycled; a large block is a fresh mapping and already zero.
                _os.Fill(address, total, 0);
            }

            AfterCall("calloc");
            return address;
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <inheritdoc />
    public ulong AllocateAligned(ulong alignment, ulong size)
    {
        _lock.Enter();
        try
        {
            if (alignment != 0 && !AlignmentMath.IsPowerOfTwo(alignment))
            {
                _counters.OnFailed(AllocationFailure.InvalidArgument);
                return 0;
            }

            ulong address = AllocateCore(size, alignment);
            AfterCall("memalign");
            return address;
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <inheritdoc />
    public void Free(ulong address)
    {
        if (address == 0)
        {
            return;
        }

        _lock.Enter();
        try
        {
            if (!TryFreeCachedHit(address))
            {
                FreeLocked(address);
            }
        }
        finally
        {
            _lock.Exit();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void FreeLocked(ulong address)
    {
        BuddyRegion? region = FindRegion(address);
        if (region is not null)
        {
            ulong offset = address - region.Base;
            byte state = (byte)region.State[offset >> _minOrder];
            int order = DecodeOrder(state);
            if ((offset & _unitMask) != 0 || (state & BuddyRegion.AllocatedBit) == 0)
            {
                (_, order) = ValidateAllocatedBlock(region, address, "free");
            }

            ulong requested = _cacheCapacity != 0 && region.FreeBytes + (1UL << order) != _regionSize
                ? CacheFree(region, offset, order)
                : FreeBlock(region, offset, order, "free");
            _counters.OnFreed(requested);
            if (region.FreeBytes == _regionSize)
            {
                ReleaseIfEmpty(region, address);
            }
        }
        else
        {
            FreeLarge(address);
        }

        if (_checkLevel != HeapCheckLevel.None)
        {
            AfterCall("free");
        }
    }

    private void FreeLarge(ulong address)
    {
        if (!_large.Remove(address, out BuddyLargeBlock large))
        {
            ThrowUnknownPointer(address, "free");
        }

        MustSucceed(_os.Munmap(large.MappingStart, large.MappingLength), "free", address, "munmap of a large block");
        _largeMappedBytes -= large.MappingLength;
        _counters.OnFreed(large.RequestedSize);
        RememberFreed(address);
    }

    /// <inheritdoc />
    public ulong Reallocate(ulong address, ulong size)
    {
        if (address == 0)
        {
            return Allocate(size);
        }

        if (size == 0)
        {
            // realloc(p, 0) frees p and returns null, as glibc does.
            Free(address);
            _lock.Enter();
            try
            {
                _counters.Reallocations++;
            }
            finally
            {
                _lock.Exit();
            }

            return 0;
        }

        _lock.Enter();
        try
        {
            ulong result = ReallocateCore(address, size);
            AfterCall("realloc");
            return result;
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <inheritdoc />
    public ulong UsableSize(ulong address)
    {
        if (address == 0)
        {
            return 0;
        }

        _lock.Enter();
        try
        {
            BuddyRegion? region = FindRegion(address);
            if (region is not null)
            {
                (_, int order) = ValidateAllocatedBlock(region, address, "malloc_usable_size");
                return 1UL << order;
            }

            if (_large.TryGetValue(address, out BuddyLargeBlock large))
            {
                return large.UsableSize;
            }

            ThrowUnknownPointer(address, "malloc_usable_size");
            return 0;
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>Returns every completely free region to the OS, ignoring <see cref="BuddyAllocatorOptions.KeepEmptyRegions"/>.</summary>
    /// <param name="pad">Ignored: regions are released whole.</param>
    /// <returns><see langword="true"/> when memory was returned.</returns>
    public bool Trim(ulong pad)
    {
        _lock.Enter();
        try
        {
            DrainAll("malloc_trim");
            bool released = false;
            for (int i = _regions.Count - 1; i >= 0; i--)
            {
                BuddyRegion region = _regions[i];
                if (region.FreeBytes == region.Length && TryReleaseRegion(region))
                {
                    released = true;
                }
            }

            AfterCall("malloc_trim");
            return released;
        }
        finally
        {
            _lock.Exit();
        }
    }

    private ulong AllocateCore(ulong size, ulong alignment)
    {
        if (size > MaxRequestBytes)
        {
            _counters.OnFailed(AllocationFailure.OutOfMemory);
            return 0;
        }

        int order = OrderFor(size, alignment);
        if (order > _maxOrder)
        {
            return AllocateLarge(size, alignment);
        }

        ulong address = _fastOs is { } fast
            ? TakeBlock(new BuddyDirectMemory(fast), order, (uint)size, "malloc")
            : TakeBlock(new BuddyProcessMemory(_os), order, (uint)size, "malloc");
        if (address == 0)
        {
            _counters.OnFailed(AllocationFailure.OutOfMemory);
            return 0;
        }

        _allocatedBlockBytes += 1UL << order;
        _regionRequestedBytes += size;
        _counters.OnAllocated(size);
        return address;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int OrderFor(ulong size, ulong alignment)
    {
        if (size > _regionSize)
        {
            return _maxOrder + 1;
        }

        int order = size <= _unitMask + 1 ? _minOrder : 64 - BitOperations.LeadingZeroCount(size - 1);
        if (alignment > 1)
        {
            order = Math.Max(order, AlignmentMath.CeilLog2(alignment));
        }

        return order;
    }

    /// <summary>
    /// Takes a free block of exactly <paramref name="order"/> (the smallest non-empty list of a sufficient order, split down),
    /// adding a region when every list is empty, and marks it allocated; 0 when the OS refuses a region.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong TakeBlock<TMem>(TMem mem, int order, uint requested, string operation)
        where TMem : struct, IBuddyMemory
    {
        if (_cacheCounts[order] != 0)
        {
            return TakeCached(mem, order, requested, operation);
        }

        ulong available = (_nonEmptyOrders | _cachedOrders) >> order;
        if (available == 0)
        {
            if (!MakeBlockAvailable(order, operation))
            {
                return 0;
            }

            available = (_nonEmptyOrders | _cachedOrders) >> order;
        }

        // The smallest free block of a sufficient order, cached or listed (a cached one when that order has both).
        int found = order + BitOperations.TrailingZeroCount(available);
        ulong block;
        BuddyRegion region;
        if ((_cachedOrders & (1UL << found)) != 0)
        {
            block = PopCached(mem, found, operation);
            region = FindRegion(block) ?? throw CachedOutsideRegions(operation, block, found);
        }
        else
        {
            block = _freeHeads[found];
            region = FindRegion(block) ?? throw CorruptList(operation, block, found, "the list head lies in no region");
            if (!TryPopHead(mem, block, found))
            {
                throw CorruptNode(operation, block, found);
            }
        }

        region.FreeBytes -= 1UL << found;

        // The lists of the orders below `found` are empty (it is the smallest non-empty one): each upper half becomes a head.
        while (found > order)
        {
            found--;
            PushFree(mem, region, block + (1UL << found), found);
        }

        ulong unit = (block - region.Base) >> _minOrder;
        region.State[unit] = AllocatedState(order) | ((ulong)requested << BuddyRegion.RequestedShift);
        return block;
    }

    /// <summary>
    /// No free block of <paramref name="order"/> or more: the cached blocks go back to the lists (their merges may make one),
    /// and only when that is not enough is a region added. False when the OS refuses the region.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool MakeBlockAvailable(int order, string operation)
    {
        if (_cachedOrders != 0)
        {
            DrainAll(operation);
            if ((_nonEmptyOrders >> order) != 0)
            {
                return true;
            }
        }

        return TryAddRegion();
    }

    private ulong AllocateLarge(ulong size, ulong alignment)
    {
        ulong align = Math.Max(alignment, _pageSize);
        if (align > MaxRequestBytes / 4 || !AlignmentMath.TryAlignUp(size, _pageSize, out ulong length) || length > MaxRequestBytes - align)
        {
            _counters.OnFailed(AllocationFailure.OutOfMemory);
            return 0;
        }

        ulong slack = align - _pageSize;
        OsResult mapped = _os.Mmap(0, length + slack, Protection.ReadWrite, MapFlags.PrivateAnonymous);
        if (!mapped.Succeeded)
        {
            _counters.OnFailed(AllocationFailure.OutOfMemory);
            return 0;
        }

        ulong start = AlignmentMath.AlignUp(mapped.Value, align);
        if (start > mapped.Value)
        {
            MustSucceed(_os.Munmap(mapped.Value, start - mapped.Value), "malloc", start, "munmap of alignment slack");
        }

        if (mapped.Value + length + slack > start + length)
        {
            MustSucceed(_os.Munmap(start + length, mapped.Value + length + slack - (start + length)), "malloc", start, "munmap of alignment slack");
        }

        _large.Add(start, new BuddyLargeBlock(start, length, start, size));
        _freedHistory.Remove(start);
        _largeMappedBytes += length;
        _counters.OnAllocated(size);
        return start;
    }

    private ulong ReallocateCore(ulong address, ulong size)
    {
        if (size > MaxRequestBytes)
        {
            ValidateAnyBlock(address);
            _counters.OnFailed(AllocationFailure.OutOfMemory);
            return 0;
        }

        BuddyRegion? region = FindRegion(address);
        if (region is null)
        {
            return ReallocateLarge(address, size);
        }

        (ulong offset, int order) = ValidateAllocatedBlock(region, address, "realloc");
        ulong unit = offset >> _minOrder;
        ulong oldRequested = region.State[unit] >> BuddyRegion.RequestedShift;
        int newOrder = OrderFor(size, 0);
        if (newOrder <= _maxOrder)
        {
            if (newOrder < order)
            {
                // Shrink in place: give the upper halves back (their buddies, the lower halves, stay in use).
                for (int k = order - 1; k >= newOrder; k--)
                {
                    PushFree(region, address + (1UL << k), k);
                }

                _allocatedBlockBytes -= (1UL << order) - (1UL << newOrder);
                order = newOrder;
            }
            else if (newOrder > order && CanAbsorbBuddies(region, offset, order, newOrder))
            {
                // Grow in place: this block is the lower buddy at every level up to newOrder and each upper buddy is free.
                // The map changes only once every node came off its list: a corrupted one leaves it as it was, and the lists are
                // rebuilt from it. A cached upper buddy is first put on its list unmerged (its own buddy is this block).
                for (int k = order; k < newOrder; k++)
                {
                    if (region.State[(offset + (1UL << k)) >> _minOrder] == CachedState(k))
                    {
                        ListCachedBlock(address + (1UL << k), k, "realloc");
                    }
                }

                for (int k = order; k < newOrder; k++)
                {
                    ulong buddy = address + (1UL << k);
                    if (!TryUnlink(buddy, k))
                    {
                        throw CorruptNode("realloc", buddy, k);
                    }
                }

                for (int k = order; k < newOrder; k++)
                {
                    region.State[(offset + (1UL << k)) >> _minOrder] = 0;
                }

                region.FreeBytes -= (1UL << newOrder) - (1UL << order);

                _allocatedBlockBytes += (1UL << newOrder) - (1UL << order);
                order = newOrder;
            }
            else if (newOrder > order)
            {
                return MoveBlock(address, oldRequested, size);
            }

            // The block's (possibly new) order and its new requested size, in one map word.
            SetAllocated(region, unit, order, size);
            _regionRequestedBytes = _regionRequestedBytes - oldRequested + size;
            _counters.OnResized(oldRequested, size);
            return address;
        }

        return MoveBlock(address, oldRequested, size);
    }

    private ulong ReallocateLarge(ulong address, ulong size)
    {
        if (!_large.TryGetValue(address, out BuddyLargeBlock large))
        {
            ThrowUnknownPointer(address, "realloc");
        }

        if (size <= _regionSize / 2 || large.Address != large.MappingStart)
        {
            // Small again (or an over-aligned mapping): move it into the buddy system or a fresh mapping.
            return MoveBlock(address, large.RequestedSize, size);
        }

        ulong newLength = AlignmentMath.AlignUp(size, _pageSize);
        OsResult remapped = _os.Mremap(large.MappingStart, large.MappingLength, newLength, MremapFlags.MayMove);
        if (!remapped.Succeeded)
        {
            _counters.OnFailed(AllocationFailure.OutOfMemory);
            return 0;
        }

        _large.Remove(address);
        _large.Add(remapped.Value, new BuddyLargeBlock(remapped.Value, newLength, remapped.Value, size));
        _freedHistory.Remove(remapped.Value);
        _largeMappedBytes = _largeMappedBytes - large.MappingLength + newLength;
        _counters.OnResized(large.RequestedSize, size);
        return remapped.Value;
    }

    private ulong MoveBlock(ulong address, ulong oldRequested, ulong size)
    {
        ulong fresh = AllocateCore(size, 0);
        if (fresh == 0)
        {
            return 0;
        }

        _os.Copy(fresh, address, Math.Min(oldRequested, size));
        BuddyRegion? region = FindRegion(address);
        if (region is not null)
        {
            (ulong offset, int order) = ValidateAllocatedBlock(region, address, "realloc");
            FreeBlock(region, offset, order, "realloc");
            ReleaseIfEmpty(region, address);
        }
        else
        {
            _large.Remove(address, out BuddyLargeBlock large);
            MustSucceed(_os.Munmap(large.MappingStart, large.MappingLength), "realloc", address, "munmap of a large block");
            _largeMappedBytes -= large.MappingLength;
            RememberFreed(address);
        }

        // AllocateCore counted an allocation and FreeBlock/unmap a free; a realloc is one resize.
        _counters.Allocations--;
        _counters.LiveBlocks--;
        _counters.AllocatedBytes -= oldRequested;
        _counters.Reallocations++;
        return fresh;
    }

    private bool CanAbsorbBuddies(BuddyRegion region, ulong offset, int order, int newOrder)
    {
        for (int k = order; k < newOrder; k++)
        {
            if ((offset & (1UL << k)) != 0)
            {
                return false;
            }

            ulong state = region.State[(offset + (1UL << k)) >> _minOrder];
            if (state != FreeState(k) && state != CachedState(k))
            {
                return false;
            }
        }

        return true;
    }

    private void SetAllocated(BuddyRegion region, ulong unit, int order, ulong requested)
        => region.State[unit] = AllocatedState(order) | (requested << BuddyRegion.RequestedShift);

    /// <summary>
    /// Frees a validated allocated block and merges it with its buddy while the buddy is free; returns the size that was
    /// requested for it. Each buddy comes off its list as it is reached, and the map changes only once all of them did: a
    /// corrupted node leaves the map as it was, and the lists are rebuilt from it, so the failed call changes nothing.
    /// </summary>
    private ulong FreeBlock(BuddyRegion region, ulong offset, int order, string operation)
        => _fastOs is { } fast
            ? FreeBlock(new BuddyDirectMemory(fast), region, offset, order, operation)
            : FreeBlock(new BuddyProcessMemory(_os), region, offset, order, operation);

    private ulong FreeBlock<TMem>(TMem mem, BuddyRegion region, ulong offset, int order, string operation)
        where TMem : struct, IBuddyMemory
    {
        if (_cachedOrders != 0 && region.FreeBytes + (1UL << order) == region.Length)
        {
            // The region is about to be completely free: its cached blocks merge first, so it ends as one maximal block.
            DrainRegion(region, operation);
        }

        ulong requested = region.State[offset >> _minOrder] >> BuddyRegion.RequestedShift;
        MergeAndPush(mem, region, offset, order, operation);
        region.FreeBytes += 1UL << order;
        _allocatedBlockBytes -= 1UL << order;
        _regionRequestedBytes -= requested;
        return requested;
    }

    /// <summary>
    /// Merges the block at <paramref name="offset"/> with its buddy while the buddy is a free block on a list (cached buddies are
    /// not merged with), then pushes the result on its list. The block's own bytes are not added to the region's free bytes
    /// (the caller does that for an allocated block; a cached block is already counted). The map changes only once every
    /// buddy came off its list: a corrupted node leaves everything as it was (the lists are rebuilt from the map).
    /// </summary>
    private void MergeAndPush<TMem>(TMem mem, BuddyRegion region, ulong offset, int order, string operation)
        where TMem : struct, IBuddyMemory
    {
        ulong[] state = region.State;
        ulong unit = offset >> _minOrder;
        int top = order;
        ulong merged = offset;
        while (top < _maxOrder)
        {
            ulong buddyOffset = merged ^ (1UL << top);
            if (state[buddyOffset >> _minOrder] != FreeState(top))
            {
                break;
            }

            if (!TryUnlink(mem, region.Base + buddyOffset, top))
            {
                throw CorruptNode(operation, region.Base + buddyOffset, top);
            }

            merged &= ~(1UL << top);
            top++;
        }

        state[unit] = 0;
        ulong at = offset;
        for (int k = order; k < top; k++)
        {
            state[(at ^ (1UL << k)) >> _minOrder] = 0;
            at &= ~(1UL << k);
        }

        // The merged buddies were already counted free, and PushFree counts the merged block again.
        region.FreeBytes -= 1UL << top;
        PushFree(mem, region, region.Base + merged, top);
    }

    private void ReleaseIfEmpty(BuddyRegion region, ulong freedAddress)
    {
        if (region.FreeBytes != region.Length)
        {
            return;
        }

        int empty = 0;
        foreach (BuddyRegion r in _regions)
        {
            if (r.FreeBytes == r.Length)
            {
                empty++;
            }
        }

        if (empty <= _keepEmptyLimit)
        {
            return;
        }

        if (TryReleaseRegion(region))
        {
            RememberFreed(freedAddress);
            NoteReleasedByPolicy();
            empty--;
        }

        // A brk region can only go back from the top of the heap: once the top one is gone, empty ones below it follow.
        while (_source == BuddyRegionSource.Brk && empty > _keepEmptyLimit && _regions.Count > 0)
        {
            BuddyRegion top = _regions[^1];
            if (top.FreeBytes != top.Length || !TryReleaseRegion(top))
            {
                break;
            }

            NoteReleasedByPolicy();
            empty--;
        }
    }

    /// <summary>Counts a region the keep policy gave back (Trim's releases are asked for and do not count).</summary>
    private void NoteReleasedByPolicy()
    {
        if (_keepEmptyRegions > 0)
        {
            _releasedByPolicy++;
        }
    }

    /// <summary>
    /// A region was just added: when the policy gave one back earlier, that was map/unmap thrash, so one more empty region is
    /// kept from now on (up to <see cref="_maxKeepEmptyRegions"/>), as glibc raises its trim threshold when freed memory comes back.
    /// </summary>
    private void NoteRegionAdded()
    {
        if (_releasedByPolicy > 0)
        {
            _releasedByPolicy--;
            if (_keepEmptyLimit < _maxKeepEmptyRegions)
            {
                _keepEmptyLimit++;
            }
        }
    }

    private (ulong Offset, int Order) ValidateAllocatedBlock(BuddyRegion region, ulong address, string operation)
    {
        ulong offset = address - region.Base;
        ulong unitSize = 1UL << _minOrder;
        if ((offset & (unitSize - 1)) == 0)
        {
            byte state = (byte)region.State[offset >> _minOrder];
            if ((state & BuddyRegion.AllocatedBit) != 0)
            {
                return (offset, DecodeOrder(state));
            }

            if ((state & BuddyRegion.FreeBit) != 0)
            {
                string where = (state & BuddyRegion.CachedBit) != 0 ? "in the per-order cache (freed, not merged yet)" : "on the free list";
                throw new HeapCorruptionException(StrategyName, operation, address, "double free or corruption (the block is free)", $"block 0x{address:x} of order {DecodeOrder(state)} ({1UL << DecodeOrder(state)} bytes) is {where}");
            }
        }

        (ulong head, int headOrder, bool free) = FindContainingBlock(region, offset);
        string what = $"{(free ? "free" : "allocated")} block 0x{region.Base + head:x} of order {headOrder} ({1UL << headOrder} bytes)";
        if (free)
        {
            throw new HeapCorruptionException(StrategyName, operation, address, "double free or invalid pointer (the address lies inside a free block)", what);
        }

        throw new AllocatorArgumentException(StrategyName, operation, address, $"invalid pointer: not the start of a block, it lies inside {what}");
    }

    private (ulong Offset, int Order, bool Free) FindContainingBlock(BuddyRegion region, ulong offset)
    {
        for (int k = _minOrder; k <= _maxOrder; k++)
        {
            ulong candidate = offset & ~((1UL << k) - 1);
            byte state = (byte)region.State[candidate >> _minOrder];
            if (state != 0 && candidate + (1UL << DecodeOrder(state)) > offset)
            {
                return (candidate, DecodeOrder(state), (state & BuddyRegion.FreeBit) != 0);
            }
        }

        throw new HeapCorruptionException(StrategyName, "lookup", region.Base + offset, "B3: the region map has no block covering the address");
    }

    private void ValidateAnyBlock(ulong address)
    {
        BuddyRegion? region = FindRegion(address);
        if (region is not null)
        {
            ValidateAllocatedBlock(region, address, "realloc");
        }
        else if (!_large.ContainsKey(address))
        {
            ThrowUnknownPointer(address, "realloc");
        }
    }

    private void ThrowUnknownPointer(ulong address, string operation)
    {
        if (_freedHistory.Contains(address))
        {
            throw new HeapCorruptionException(StrategyName, operation, address, "double free or corruption (the block was already freed and its memory returned to the OS)", $"block 0x{address:x}");
        }

        throw new AllocatorArgumentException(StrategyName, operation, address, "invalid pointer: not a block of this allocator");
    }

    private void RememberFreed(ulong address)
    {
        if (_freedHistory.Add(address))
        {
            _freedOrder.Enqueue(address);
            while (_freedOrder.Count > FreedHistoryCapacity)
            {
                _freedHistory.Remove(_freedOrder.Dequeue());
            }
        }
    }

    private int DecodeOrder(byte state) => (state & BuddyRegion.OrderMask) + _minOrder - 1;

    /// <summary>The region holding <paramref name="address"/>, or null: one probe of the region table when the slot is not shared.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private BuddyRegion? FindRegion(ulong address)
    {
        BuddyRegion?[] table = _regionTable;

        // The table's length is a power of two, so the masked index is always inside it.
        BuddyRegion? region = Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(table), (int)(address >> _maxOrder) & (table.Length - 1));
        if (region is not null && region.Base == (address & _regionBaseMask))
        {
            return region;
        }

        return region is null ? null : FindRegionProbing(address);
    }

    private BuddyRegion? FindRegionProbing(ulong address)
    {
        BuddyRegion?[] table = _regionTable;
        ulong regionBase = address & ~(_regionSize - 1);
        int mask = table.Length - 1;
        for (int i = (int)(address >> _maxOrder) & mask; ; i = (i + 1) & mask)
        {
            BuddyRegion? region = table[i];
            if (region is null)
            {
                return null;
            }

            if (region.Base == regionBase)
            {
                return region;
            }
        }
    }

    /// <summary>Refills the region table after a region came or went; it grows (never shrinks) to twice the region count.</summary>
    private void RebuildRegionTable()
    {
        int size = _regionTable.Length;
        while (size < 2 * _regions.Count)
        {
            size *= 2;
        }

        if (size != _regionTable.Length)
        {
            _regionTable = new BuddyRegion?[size];
        }
        else
        {
            Array.Clear(_regionTable);
        }

        int mask = size - 1;
        foreach (BuddyRegion region in _regions)
        {
            int i = (int)(region.Base >> _maxOrder) & mask;
            while (_regionTable[i] is not null)
            {
                i = (i + 1) & mask;
            }

            _regionTable[i] = region;
        }
    }

    private void MustSucceed(OsResult result, string operation, ulong address, string what)
    {
        if (!result.Succeeded)
        {
            throw new HeapCorruptionException(StrategyName, operation, address, $"{what} failed with {result.Error}", "the mapping was changed behind the allocator's back");
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AfterCall(string operation)
    {
        if (_checkLevel == HeapCheckLevel.None)
        {
            return;
        }

        HeapCheckResult result = CheckHeapCore(_checkLevel);
        if (!result.Succeeded)
        {
            HeapCheckFailure first = result.Failures[0];
            throw new HeapCorruptionException(StrategyName, operation, first.Address, first.Id + ": " + first.Message, result.ToString());
        }
    }
}
