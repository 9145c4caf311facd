// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Generic;

namespace Allocators.Strategies.Slab;

/// <summary>Statistics: the allocator snapshot, slabinfo lines and the heap walk.</summary>
public sealed partial class SlabAllocator
{
    /// <inheritdoc/>
    public AllocatorStatistics GetStatistics()
    {
        _gate.Enter();
        try
        {
            ulong held = _largeBytes;
            ulong free = 0;
            ulong largestFree = 0;
            long live = _large.Count;
            foreach (SlabCache cache in AllCaches())
            {
                live += cache.ActiveObjects;
                held += (ulong)cache.TotalSlabs * cache.SlabBytes;
                long freeObjects = (cache.TotalSlabs * cache.ObjectsPerSlab) - cache.ActiveObjects;
                if (freeObjects > 0)
                {
                    free += (ulong)freeObjects * cache.UsableBytes;
                    if (cache.UsableBytes > largestFree)
                    {
                        largestFree = cache.UsableBytes;
                    }
                }
            }

            return new AllocatorStatistics
            {
                Version = AllocatorStatistics.CurrentVersion,
                Strategy = StrategyName,
                Allocations = _frees + live,
                Frees = _frees,
                Reallocations = _reallocations,
                FailedAllocations = _failed,
                LastFailure = _lastFailure,
                LiveBlocks = live,
                AllocatedBytes = _allocatedBytes,
                PeakAllocatedBytes = _peakAllocatedBytes,
                HeldBytes = held,
                FreeBytes = free,
                LargestFreeBlock = largestFree,
                Os = _os.GetStatistics(),
            };
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>Gets one <c>/proc/slabinfo</c>-style line per cache (size classes first, then typed caches); format them with <see cref="SlabInfoFormatter"/>.</summary>
    /// <returns>A snapshot of every cache.</returns>
    public IReadOnlyList<SlabCacheInfo> GetSlabInfo()
    {
        _gate.Enter();
        try
        {
            var lines = new List<SlabCacheInfo>(_classes.Length + _typed.Count);
            foreach (SlabCache c in AllCaches())
            {
                long totalObjects = c.TotalSlabs * c.ObjectsPerSlab;
                lines.Add(new SlabCacheInfo(
                    c.Name,
                    c.ActiveObjects,
                    totalObjects,
                    (int)c.Stride,
                    c.ObjectsPerSlab,
                    c.PagesPerSlab,
                    c.Full.Count + c.Partial.Count,
                    c.TotalSlabs,
                    c.MagazineObjects,
                    c.RoundingWaste,
                    (ulong)c.TotalSlabs * (c.SlabBytes - ((ulong)c.ObjectsPerSlab * c.UsableBytes))));
            }

            return lines;
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Per slab: its colour padding and tail as <see cref="HeapBlockKind.Metadata"/>, each object as
    /// <see cref="HeapBlockKind.InUse"/>, <see cref="HeapBlockKind.Cached"/> (in a magazine) or
    /// <see cref="HeapBlockKind.Free"/> (on the slab's free list), with the cache name in the detail; page-level
    /// blocks as <see cref="HeapBlockKind.Mmapped"/>. In address order.
    /// </remarks>
    public IReadOnlyList<HeapBlock> WalkHeap()
    {
        _gate.Enter();
        try
        {
            var slabs = new List<SlabDescriptor>();
            foreach (SlabCache cache in AllCaches())
            {
                Collect(cache.Full, slabs);
                Collect(cache.Partial, slabs);
                Collect(cache.Empty, slabs);
            }

            var blocks = new List<HeapBlock>();
            foreach (SlabDescriptor slab in slabs)
            {
                WalkSlab(slab, blocks);
            }

            foreach (KeyValuePair<ulong, ulong> large in _large)
            {
                blocks.Add(new HeapBlock(large.Key, large.Value, HeapBlockKind.Mmapped, "page-level"));
            }

            blocks.Sort((a, b) => a.Address.CompareTo(b.Address));
            return blocks;
        }
        finally
        {
            _gate.Exit();
        }
    }

    private static void Collect(SlabList list, List<SlabDescriptor> slabs)
    {
        for (SlabDescriptor? slab = list.Head; slab is not null; slab = slab.Next)
        {
            slabs.Add(slab);
        }
    }

    private void WalkSlab(SlabDescriptor slab, List<HeapBlock> blocks)
    {
        SlabCache cache = slab.Cache;
        string detail = "slab " + cache.Name;
        if (slab.Colour != 0)
        {
            blocks.Add(new HeapBlock(slab.Base, slab.Colour, HeapBlockKind.Metadata, "colour " + cache.Name));
        }

        var onList = new bool[cache.ObjectsPerSlab];
        ulong address = slab.FreeHead;
        for (int guard = 0; address != 0 && guard < cache.ObjectsPerSlab; guard++)
        {
            ulong offset = address - slab.FirstObject;
            if (offset >= cache.ObjectSpan || offset % cache.Stride != 0)
            {
                break;
            }

            onList[(int)(offset / cache.Stride)] = true;
            address = _os.ReadUInt64(address + cache.FreePointerOffset);
        }

        for (int i = 0; i < cache.ObjectsPerSlab; i++)
        {
            HeapBlockKind kind = !slab.IsFree(i) ? HeapBlockKind.InUse : onList[i] ? HeapBlockKind.Free : HeapBlockKind.Cached;
            blocks.Add(new HeapBlock(slab.FirstObject + ((ulong)i * cache.Stride), cache.Stride, kind, detail));
        }

        ulong tailStart = slab.FirstObject + cache.ObjectSpan;
        ulong end = slab.Base + slab.Bytes;
        if (tailStart < end)
        {
            blocks.Add(new HeapBlock(tailStart, end - tailStart, HeapBlockKind.Metadata, "tail " + cache.Name));
        }
    }
}
