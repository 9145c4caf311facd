// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Strategies.Buddy;

/// <summary>Options of the <see cref="BuddyAllocator"/> (strategy name <c>buddy</c>).</summary>
public sealed class BuddyAllocatorOptions
{
    internal const int DefaultMinOrder = 5;
    internal const int DefaultMaxOrder = 20;
    internal const int DefaultKeepEmptyRegions = 1;
    internal const int DefaultPerOrderCacheBlocks = 32;

    /// <summary>
    /// Gets or sets the order (log2 of the size in bytes) of the smallest block. A free block carries its free-list node in its
    /// first 16 bytes (the next and prev links, each XORed with a key of the block's address and order); the minimum is 5.
    /// </summary>
    /// <value>The default is 5 (32-byte blocks): 16-byte aligned, and the same minimum as a glibc chunk.</value>
    public int MinOrder { get; set; } = DefaultMinOrder;

    /// <summary>
    /// Gets or sets the order of the largest block, which is also the size of one region obtained from the OS. Larger requests
    /// get their own mapping.
    /// </summary>
    /// <value>The default is 20 (1 MiB): regions cost nothing until touched, and 1 MiB keeps the map count low while large
    /// requests (above glibc's default mmap threshold range) bypass the buddy system.</value>
    public int MaxOrder { get; set; } = DefaultMaxOrder;

    /// <summary>Gets or sets where regions come from.</summary>
    /// <value>The default is <see cref="BuddyRegionSource.Mmap"/>.</value>
    public BuddyRegionSource RegionSource { get; set; } = BuddyRegionSource.Mmap;

    /// <summary>
    /// Gets or sets how many completely free regions are kept for reuse at first; further empty regions are returned to the OS
    /// at once (a brk region only when it is at the top of the heap). When it is above 0 the number adapts, as glibc's dynamic
    /// trim threshold does: each time a region has to be mapped again after the policy gave one back, one more empty region is
    /// kept from then on, up to 64 MiB of regions (see <see cref="BuddyAllocator.KeptEmptyRegionLimit"/>). 0 keeps none, ever.
    /// <see cref="BuddyAllocator.Trim"/> releases every empty region regardless.
    /// </summary>
    /// <value>The default is 1 (hysteresis against map/unmap thrash at a region boundary; a workload that repeatedly frees and
    /// refills many regions raises it).</value>
    public int KeepEmptyRegions { get; set; } = DefaultKeepEmptyRegions;

    /// <summary>
    /// Gets or sets how many freed blocks of each order are kept unmerged in a small per-order cache (like Linux's per-CPU page
    /// lists): a free of order k puts the block there (the map marks it free and cached, its first word gets a check word), and
    /// an allocation of order k takes the most recently cached block, so churn between the same sizes neither merges nor
    /// splits. A full cache gives its older half back to the free lists with merging; an allocation that would otherwise need a
    /// new region first gives every cached block back; a region that becomes completely free gets its cached blocks back (it is
    /// then one maximal block again, so the keep policy and <see cref="BuddyAllocator.Trim"/> see it); Trim empties every cache.
    /// 0 turns the cache off: every free merges at once.
    /// </summary>
    /// <value>The default is 32: it keeps the cache hit rate of random churn over a handful of orders above 90 % while
    /// the cache holds at most 32 blocks per order (never a reason to map a region: the caches are emptied first).</value>
    public int PerOrderCacheBlocks { get; set; } = DefaultPerOrderCacheBlocks;

    /// <summary>
    /// Gets or sets the checking done on every call: <see cref="HeapCheckLevel.Cheap"/> validates free-list nodes as they are used
    /// (always on) and the counters; <see cref="HeapCheckLevel.Full"/> runs <see cref="BuddyAllocator.CheckHeap"/> after every call
    /// and throws <see cref="HeapCorruptionException"/> on a failure.
    /// </summary>
    /// <value>The default is <see cref="HeapCheckLevel.None"/>.</value>
    public HeapCheckLevel CheckLevel { get; set; } = HeapCheckLevel.None;
}
