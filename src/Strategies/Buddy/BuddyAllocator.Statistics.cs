// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Globalization;
using System.Text;

namespace Allocators.Strategies.Buddy;

/// <content>Statistics: free blocks per order, buddyinfo, internal/external fragmentation, Linux fragmentation indices.</content>
public sealed partial class BuddyAllocator
{
    /// <inheritdoc />
    public AllocatorStatistics GetStatistics()
    {
        _lock.Enter();
        try
        {
            ulong free = FreeBytesCore();
            return new AllocatorStatistics
            {
                Version = AllocatorStatistics.CurrentVersion,
                Strategy = StrategyName,
                Allocations = _counters.Allocations,
                Frees = _counters.Frees,
                Reallocations = _counters.Reallocations,
                FailedAllocations = _counters.FailedAllocations,
                LastFailure = _counters.LastFailure,
                LiveBlocks = _counters.LiveBlocks,
                AllocatedBytes = _counters.AllocatedBytes,
                PeakAllocatedBytes = _counters.PeakAllocatedBytes,
                HeldBytes = ((ulong)_regions.Count * _regionSize) + _largeMappedBytes,
                FreeBytes = free,
                LargestFreeBlock = LargestFreeBlockCore(),
                Os = _os.GetStatistics(),
            };
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>Gets the number of free blocks of <paramref name="order"/> (MinOrder..MaxOrder): on its free list or in its cache.</summary>
    /// <param name="order">The block order (log2 of the block size in bytes).</param>
    /// <returns>The count on that order's free list plus the blocks in its cache.</returns>
    public long GetFreeBlockCount(int order)
    {
        CheckOrder(order);
        _lock.Enter();
        try
        {
            return FreeBlocks(order);
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>Gets the number of freed blocks of <paramref name="order"/> held unmerged in its cache (part of <see cref="GetFreeBlockCount"/>).</summary>
    /// <param name="order">The block order (log2 of the block size in bytes).</param>
    /// <returns>The blocks in that order's cache.</returns>
    public long GetCachedBlockCount(int order)
    {
        CheckOrder(order);
        _lock.Enter();
        try
        {
            return _cacheCounts[order];
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>
    /// Formats the free block counts per order like one line of Linux's <c>/proc/buddyinfo</c>:
    /// <c>Node 0, zone    Buddy      3      0      1 …</c>, one column per order from MinOrder to MaxOrder (free blocks on the
    /// lists plus cached ones, as <see cref="GetFreeBlockCount"/>).
    /// </summary>
    /// <returns>The line (no trailing newline).</returns>
    public string GetBuddyInfo()
    {
        _lock.Enter();
        try
        {
            var line = new StringBuilder("Node 0, zone    Buddy");
            for (int order = _minOrder; order <= _maxOrder; order++)
            {
                line.Append(' ').Append(FreeBlocks(order).ToString(CultureInfo.InvariantCulture).PadLeft(6));
            }

            return line.ToString();
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>Gets the internal fragmentation: the sum over allocated buddy blocks of block size minus requested size.</summary>
    public ulong InternalFragmentationBytes
    {
        get
        {
            _lock.Enter();
            try
            {
                return _allocatedBlockBytes - _regionRequestedBytes;
            }
            finally
            {
                _lock.Exit();
            }
        }
    }

    /// <summary>Gets the external fragmentation: 1 − largest free block / free bytes (0 when nothing is free).</summary>
    public double ExternalFragmentation
    {
        get
        {
            _lock.Enter();
            try
            {
                ulong free = FreeBytesCore();
                return free == 0 ? 0 : 1.0 - ((double)LargestFreeBlockCore() / free);
            }
            finally
            {
                _lock.Exit();
            }
        }
    }

    /// <summary>
    /// The Linux fragmentation index for an allocation of <paramref name="order"/> (mm/vmstat.c <c>__fragmentation_index</c>,
    /// computed in thousandths with the kernel's integer arithmetic and returned divided by 1000): −1 when a free block of that
    /// order or larger exists; 0 when nothing is free; otherwise towards 0 a failure would be for lack of memory, towards 1 for
    /// fragmentation.
    /// </summary>
    /// <param name="order">The requested order (MinOrder..MaxOrder).</param>
    /// <returns>The index.</returns>
    public double GetFragmentationIndex(int order)
    {
        CheckOrder(order);
        _lock.Enter();
        try
        {
            (ulong freeUnits, ulong totalBlocks, ulong suitable) = ContigInfo(order);
            if (totalBlocks == 0)
            {
                return 0;
            }

            if (suitable != 0)
            {
                return -1;
            }

            ulong requestedUnits = 1UL << (order - _minOrder);
            long thousandths = 1000 - (long)((1000 + (freeUnits * 1000 / requestedUnits)) / totalBlocks);
            return thousandths / 1000.0;
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>
    /// The Linux unusable free space index for <paramref name="order"/> (mm/vmstat.c <c>unusable_free_index</c>, in thousandths
    /// divided by 1000): the share of free memory in blocks too small for an allocation of that order.
    /// </summary>
    /// <param name="order">The requested order (MinOrder..MaxOrder).</param>
    /// <returns>The index in [0, 1].</returns>
    public double GetUnusableFreeSpaceIndex(int order)
    {
        CheckOrder(order);
        _lock.Enter();
        try
        {
            (ulong freeUnits, _, ulong suitable) = ContigInfo(order);
            if (freeUnits == 0)
            {
                return 0;
            }

            ulong suitableUnits = suitable << (order - _minOrder);
            long thousandths = (long)((freeUnits - suitableUnits) * 1000 / freeUnits);
            return thousandths / 1000.0;
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>Linux's fill_contig_page_info: free units (of 2^MinOrder bytes), free blocks, and suitable blocks counted in order-sized pieces.</summary>
    private (ulong FreeUnits, ulong TotalBlocks, ulong Suitable) ContigInfo(int order)
    {
        ulong freeUnits = 0;
        ulong totalBlocks = 0;
        ulong suitable = 0;
        for (int k = _minOrder; k <= _maxOrder; k++)
        {
            ulong blocks = (ulong)FreeBlocks(k);
            totalBlocks += blocks;
            freeUnits += blocks << (k - _minOrder);
            if (k >= order)
            {
                suitable += blocks << (k - order);
            }
        }

        return (freeUnits, totalBlocks, suitable);
    }

    private ulong FreeBytesCore()
    {
        ulong free = 0;
        for (int k = _minOrder; k <= _maxOrder; k++)
        {
            free += (ulong)FreeBlocks(k) << k;
        }

        return free;
    }

    private ulong LargestFreeBlockCore()
    {
        for (int k = _maxOrder; k >= _minOrder; k--)
        {
            if (FreeBlocks(k) != 0)
            {
                return 1UL << k;
            }
        }

        return 0;
    }

    private long FreeBlocks(int order) => _freeCounts[order] + _cacheCounts[order];

    private void CheckOrder(int order)
    {
        if (order < _minOrder || order > _maxOrder)
        {
            throw new ArgumentOutOfRangeException(nameof(order), order, $"the order must be from {_minOrder} to {_maxOrder}");
        }
    }
}
