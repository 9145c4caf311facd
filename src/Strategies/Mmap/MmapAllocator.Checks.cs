// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Linq;

namespace Allocators.Strategies.Mmap;

/// <content>The invariant checker, the heap walker and the diagnostics that name blocks.</content>
public sealed partial class MmapAllocator
{
    /// <summary>
    /// Verifies the invariants. <see cref="HeapCheckLevel.Cheap"/>: M3, M4, M6. <see cref="HeapCheckLevel.Full"/> adds the
    /// page-table checks M1, M2, M5.
    /// </summary>
    /// <remarks>
    /// M1 every live block's data pages are mapped read-write; M2 every guard page is mapped PROT_NONE; M3 no two mappings
    /// (live or quarantined) overlap; M4 every block address is aligned, lies in its data pages with the requested size
    /// inside them, and (with end placement) ends within one alignment unit of the data end; M5 every quarantined range is
    /// mapped PROT_NONE; M6 the live count and requested bytes match the statistics.
    /// </remarks>
    /// <param name="level">How much to check.</param>
    /// <returns>Every failure found, each with its id.</returns>
    public HeapCheckResult CheckHeap(HeapCheckLevel level)
    {
        lock (_lock)
        {
            return CheckHeapCore(level);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<HeapBlock> WalkHeap()
    {
        lock (_lock)
        {
            var result = new List<HeapBlock>(_blocks.Count * 3 + _quarantined.Count);
            foreach (MmapBlock block in _blocks.Values)
            {
                if (block.GuardBeforeLength != 0)
                {
                    result.Add(new HeapBlock(block.RegionStart, block.GuardBeforeLength, HeapBlockKind.Guard, $"guard before block 0x{block.UserAddress:x}"));
                }

                if (block.UserAddress > block.DataStart)
                {
                    result.Add(new HeapBlock(block.DataStart, block.UserAddress - block.DataStart, HeapBlockKind.Metadata, $"placement slack before block 0x{block.UserAddress:x}"));
                }

                result.Add(new HeapBlock(block.UserAddress, block.UsableSize, HeapBlockKind.Mmapped, $"requested={block.RequestedSize} alignment={block.Alignment}"));
                if (block.GuardAfterLength != 0)
                {
                    result.Add(new HeapBlock(block.DataEnd, block.GuardAfterLength, HeapBlockKind.Guard, $"guard after block 0x{block.UserAddress:x}"));
                }
            }

            foreach (MmapBlock block in _quarantined.Values)
            {
                result.Add(new HeapBlock(block.RegionStart, block.RegionLength, HeapBlockKind.Free, $"quarantined block 0x{block.UserAddress:x} (PROT_NONE, never reused)"));
            }

            result.Sort((a, b) => a.Address.CompareTo(b.Address));
            return result;
        }
    }

    /// <summary>Says what an address is to this allocator: inside a block, in a guard page, in a quarantined block, or unknown.</summary>
    /// <param name="address">Any simulated address.</param>
    /// <returns>A one-line description naming the block.</returns>
    public string DescribeAddress(ulong address)
    {
        lock (_lock)
        {
            foreach (MmapBlock block in _blocks.Values)
            {
                if (address >= block.RegionStart && address < block.RegionEnd)
                {
                    if (address < block.DataStart)
                    {
                        return $"0x{address:x} is in the guard page before {block.Describe()} ({block.UserAddress - address} bytes before its start)";
                    }

                    if (address >= block.DataEnd)
                    {
                        return $"0x{address:x} is in the guard page after {block.Describe()} ({address - (block.UserAddress + block.RequestedSize)} bytes past its end)";
                    }

                    if (address < block.UserAddress)
                    {
                        return $"0x{address:x} is {block.UserAddress - address} bytes before the start of {block.Describe()}";
                    }

                    ulong offset = address - block.UserAddress;
                    return offset < block.RequestedSize
                        ? $"0x{address:x} is at offset {offset} of {block.Describe()}"
                        : $"0x{address:x} is {offset - block.RequestedSize} bytes past the end of {block.Describe()}";
                }
            }

            foreach (MmapBlock block in _quarantined.Values)
            {
                if (address >= block.RegionStart && address < block.RegionEnd)
                {
                    return $"0x{address:x} is in freed (quarantined) {block.Describe()}: use after free";
                }
            }

            return $"0x{address:x} belongs to no block of this allocator";
        }
    }

    /// <summary>
    /// Enriches a segmentation fault raised by the simulated OS with the block it hit: the returned exception carries the same
    /// address and access kind and a message naming the block (e.g. "in the guard page after block 0x7ffff7ff0ff0 of 16 bytes").
    /// </summary>
    /// <param name="fault">The fault thrown by the OS while touching memory.</param>
    /// <returns>A new exception whose message names the block, with <paramref name="fault"/> as its cause.</returns>
    public SegmentationFaultException ExplainFault(SegmentationFaultException fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        return new SegmentationFaultException(fault.Address, fault.Access, fault.Mapped, DescribeAddress(fault.Address));
    }

    /// <summary>
    /// Runs <paramref name="access"/> (code touching simulated memory) and rethrows any segmentation fault with the block it hit
    /// named in the message, as <see cref="ExplainFault"/> does.
    /// </summary>
    /// <param name="access">The memory access to run.</param>
    /// <exception cref="SegmentationFaultException">The access touched a guard page, a quarantined block or unmapped memory.</exception>
    public void RunChecked(Action access)
    {
        ArgumentNullException.ThrowIfNull(access);
        try
        {
            access();
        }
        catch (SegmentationFaultException fault)
        {
            throw ExplainFault(fault);
        }
    }

    [DoesNotReturn]
    private void ThrowBadPointer(ulong address, string operation)
    {
        if (_quarantined.TryGetValue(address, out MmapBlock freed))
        {
            throw new HeapCorruptionException(StrategyName, operation, address, "double free or corruption (the block is in quarantine)", freed.Describe() + " was freed earlier");
        }

        if (_freedHistory.ContainsKey(address))
        {
            throw new HeapCorruptionException(StrategyName, operation, address, "double free or corruption (the block was already unmapped)", $"block 0x{address:x} was freed earlier");
        }

        foreach (MmapBlock block in _blocks.Values)
        {
            if (address >= block.RegionStart && address < block.RegionEnd)
            {
                throw new AllocatorArgumentException(StrategyName, operation, address, $"invalid pointer: not the start of a block, it lies inside {block.Describe()}");
            }
        }

        throw new AllocatorArgumentException(StrategyName, operation, address, "invalid pointer: not a block of this allocator");
    }

    private HeapCheckResult CheckHeapCore(HeapCheckLevel level)
    {
        if (level == HeapCheckLevel.None)
        {
            return HeapCheckResult.Success;
        }

        var failures = new List<HeapCheckFailure>();
        ulong requested = 0;
        ulong mapped = 0;
        foreach (MmapBlock block in _blocks.Values)
        {
            requested += block.RequestedSize;
            mapped += block.RegionLength;
            CheckPlacement(block, failures);
        }

        if ((long)_blocks.Count != _counters.LiveBlocks || requested != _counters.AllocatedBytes || mapped != _mappedBytes)
        {
            failures.Add(new HeapCheckFailure("M6", 0, $"statistics disagree with the block table: {_blocks.Count} blocks / {requested} requested / {mapped} mapped bytes vs {_counters.LiveBlocks} / {_counters.AllocatedBytes} / {_mappedBytes}"));
        }

        // M3: sort every range the allocator owns and look for overlaps.
        var ranges = _blocks.Values.Select(b => (b.RegionStart, b.RegionEnd, b.UserAddress, Quarantined: false))
            .Concat(_quarantined.Values.Select(b => (b.RegionStart, b.RegionEnd, b.UserAddress, Quarantined: true)))
            .OrderBy(r => r.RegionStart)
            .ToList();
        for (int i = 1; i < ranges.Count; i++)
        {
            if (ranges[i].RegionStart < ranges[i - 1].RegionEnd)
            {
                failures.Add(new HeapCheckFailure("M3", ranges[i].UserAddress, $"mapping of block 0x{ranges[i].UserAddress:x} overlaps the mapping of block 0x{ranges[i - 1].UserAddress:x}"));
            }
        }

        if (level == HeapCheckLevel.Full)
        {
            MappingInfo[] mappings = [.. _os.GetMappings().OrderBy(m => m.Start)];
            foreach (MmapBlock block in _blocks.Values)
            {
                CheckProtection(mappings, block.DataStart, block.DataLength, Protection.ReadWrite, "M1", block, "data pages");
                if (block.GuardBeforeLength != 0)
                {
                    CheckProtection(mappings, block.RegionStart, block.GuardBeforeLength, Protection.None, "M2", block, "guard page before");
                }

                if (block.GuardAfterLength != 0)
                {
                    CheckProtection(mappings, block.DataEnd, block.GuardAfterLength, Protection.None, "M2", block, "guard page after");
                }
            }

            foreach (MmapBlock block in _quarantined.Values)
            {
                CheckProtection(mappings, block.RegionStart, block.RegionLength, Protection.None, "M5", block, "quarantined range");
            }

            void CheckProtection(MappingInfo[] sorted, ulong start, ulong length, Protection expected, string id, MmapBlock block, string what)
            {
                ulong cursor = start;
                ulong end = start + length;
                while (cursor < end)
                {
                    int index = FindMapping(sorted, cursor);
                    if (index < 0)
                    {
                        failures.Add(new HeapCheckFailure(id, block.UserAddress, $"{what} of {block.Describe()}: 0x{cursor:x} is not mapped"));
                        return;
                    }

                    if (sorted[index].Protection != expected)
                    {
                        failures.Add(new HeapCheckFailure(id, block.UserAddress, $"{what} of {block.Describe()}: 0x{cursor:x} has protection {sorted[index].Protection}, expected {expected}"));
                        return;
                    }

                    cursor = sorted[index].End;
                }
            }
        }

        return HeapCheckResult.From(failures);
    }

    private static int FindMapping(MappingInfo[] sorted, ulong address)
    {
        int lo = 0;
        int hi = sorted.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (address < sorted[mid].Start)
            {
                hi = mid - 1;
            }
            else if (address >= sorted[mid].End)
            {
                lo = mid + 1;
            }
            else
            {
                return mid;
            }
        }

        return -1;
    }

    private void CheckPlacement(MmapBlock block, List<HeapCheckFailure> failures)
    {
        ulong page = _pageSize;
        bool ok = block.UserAddress % block.Alignment == 0
            && block.DataStart % page == 0 && block.DataLength % page == 0 && block.RegionStart % page == 0
            && block.UserAddress >= block.DataStart
            && block.UserAddress + Math.Max(block.RequestedSize, 1) <= block.DataEnd
            && block.GuardBeforeLength == (_guardBefore ? page : 0)
            && block.GuardAfterLength == (_guardAfter ? page : 0);
        if (!ok)
        {
            failures.Add(new HeapCheckFailure("M4", block.UserAddress, $"bad placement of {block.Describe()}"));
        }
        else if (_alignEnd && block.Alignment <= page && block.DataEnd - (block.UserAddress + Math.Max(block.RequestedSize, 1)) >= block.Alignment)
        {
            failures.Add(new HeapCheckFailure("M4", block.UserAddress, $"{block.Describe()} does not end against its guard"));
        }
    }

    private void CheckBlock(MmapBlock block, List<HeapCheckFailure> failures)
    {
        CheckPlacement(block, failures);
        if (!_os.IsAccessible(block.DataStart, block.DataLength, Protection.ReadWrite))
        {
            failures.Add(new HeapCheckFailure("M1", block.UserAddress, $"data pages of {block.Describe()} are not all read-write"));
        }

        if (block.GuardBeforeLength != 0 && _os.IsAccessible(block.RegionStart, block.GuardBeforeLength, Protection.Read))
        {
            failures.Add(new HeapCheckFailure("M2", block.UserAddress, $"guard page before {block.Describe()} is readable"));
        }

        if (block.GuardAfterLength != 0 && _os.IsAccessible(block.DataEnd, block.GuardAfterLength, Protection.Read))
        {
            failures.Add(new HeapCheckFailure("M2", block.UserAddress, $"guard page after {block.Describe()} is readable"));
        }
    }
}
