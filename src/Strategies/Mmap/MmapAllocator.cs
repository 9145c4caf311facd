// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using Allocators.Strategies.Shared;
using Microsoft.Extensions.Options;

namespace Allocators.Strategies.Mmap;

/// <summary>
/// The <c>mmap</c> strategy: an Electric-Fence-style debugging allocator in which every block is its own anonymous mapping,
/// page-rounded, optionally fenced by PROT_NONE guard pages, and unmapped (or quarantined) the moment it is freed.
/// </summary>
/// <remarks>
/// <para>Bookkeeping is out of band (a table keyed by block address, as a debugging allocator should keep it): no header is
/// written into simulated memory, so the guard after a block really is the first byte past the usable area.</para>
/// <para>Layout of one mapping: <c>[guard before?][data pages, read-write][guard after?]</c>. With
/// <see cref="MmapAllocatorOptions.AlignBlockEndToGuard"/> the block is placed at the end of the data pages.</para>
/// <para>Thread safety: one lock per allocator.</para>
/// </remarks>
public sealed partial class MmapAllocator : IAllocator, IHeapWalker
{
    /// <summary>The strategy name.</summary>
    public const string StrategyName = "mmap";

    /// <summary>Requests above this are refused at once with <see cref="AllocationFailure.OutOfMemory"/> (PTRDIFF_MAX, as glibc).</summary>
    internal const ulong MaxRequestBytes = long.MaxValue;

    private const int FreedHistoryCapacity = 4096;

    private readonly object _lock = new();
    private readonly ISimulatedOs _os;
    private readonly ulong _pageSize;
    private readonly bool _guardBefore;
    private readonly bool _guardAfter;
    private readonly bool _alignEnd;
    private readonly ulong _alignment;
    private readonly bool _quarantine;
    private readonly ulong _quarantineMaxBytes;
    private readonly int _quarantineMaxBlocks;
    private readonly HeapCheckLevel _checkLevel;
    private readonly Dictionary<ulong, MmapBlock> _blocks = [];
    private readonly Dictionary<ulong, MmapBlock> _quarantined = [];
    private readonly Queue<ulong> _quarantineOrder = new();
    private readonly Dictionary<ulong, long> _freedHistory = [];
    private readonly Queue<(ulong Address, long Sequence)> _freedOrder = new();
    private ulong _quarantineBytes;
    private long _freeSequence;
    private ulong _mappedBytes;
    private StatisticsCounters _counters;

    /// <summary>Initializes a new instance of the <see cref="MmapAllocator"/> class.</summary>
    /// <param name="os">The simulated process the blocks are mapped in.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="OptionsValidationException">The options are invalid.</exception>
    public MmapAllocator(ISimulatedOs os, MmapAllocatorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(os);
        options ??= new MmapAllocatorOptions();
        ValidateOptionsResult validation = new MmapAllocatorOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(MmapAllocatorOptions), validation.Failures);
        }

        _os = os;
        _pageSize = (ulong)os.PageSize;
        _guardBefore = options.GuardPageBefore;
        _guardAfter = options.GuardPageAfter;
        _alignEnd = options.AlignBlockEndToGuard;
        _alignment = Math.Min(options.AlignmentBytes, _pageSize);
        _quarantine = options.Quarantine;
        _quarantineMaxBytes = options.QuarantineMaxBytes;
        _quarantineMaxBlocks = options.QuarantineMaxBlocks;
        _checkLevel = options.CheckLevel;
    }

    /// <inheritdoc />
    public string Name => StrategyName;

    /// <inheritdoc />
    public ISimulatedOs Os => _os;

    /// <inheritdoc />
    public ulong Allocate(ulong size)
    {
        lock (_lock)
        {
            ulong address = AllocateCore(size, _alignment);
            AfterCall("malloc", address);
            return address;
        }
    }

    /// <inheritdoc />
    public ulong AllocateZeroed(ulong count, ulong size)
    {
        lock (_lock)
        {
            if (!AlignmentMath.TryMultiply(count, size, out ulong total))
            {
                _counters.OnFailed(AllocationFailure.OutOfMemory);
                return 0;
            }

            // Fresh anonymous pages are zero; the data pages of a new mapping were never touched.
            ulong address = AllocateCore(total, _alignment);
            AfterCall("calloc", address);
            return address;
        }
    }

    /// <inheritdoc />
    public ulong AllocateAligned(ulong alignment, ulong size)
    {
        lock (_lock)
        {
            if (alignment != 0 && !AlignmentMath.IsPowerOfTwo(alignment))
            {
                _counters.OnFailed(AllocationFailure.InvalidArgument);
                return 0;
            }

            ulong address = AllocateCore(size, Math.Max(alignment, _alignment));
            AfterCall("memalign", address);
            return address;
        }
    }

    /// <inheritdoc />
    public void Free(ulong address)
    {
        if (address == 0)
        {
            return;
        }

        lock (_lock)
        {
            MmapBlock block = TakeBlock(address, "free");
            Release(block, "free");
            _counters.OnFreed(block.RequestedSize);
            AfterCall("free", 0);
        }
    }

    /// <inheritdoc />
    public ulong Reallocate(ulong address, ulong size)
    {
        if (address == 0)
        {
            return Allocate(size);
        }

        lock (_lock)
        {
            if (!_blocks.TryGetValue(address, out MmapBlock block))
            {
                ThrowBadPointer(address, "realloc");
            }

            if (size == 0)
            {
                // realloc(p, 0) frees p and returns null, as glibc does.
                _blocks.Remove(address);
                Release(block, "realloc");
                _counters.OnFreed(block.RequestedSize);
                AfterCall("realloc", 0);
                return 0;
            }

            if (size > MaxRequestBytes)
            {
                _counters.OnFailed(AllocationFailure.OutOfMemory);
                return 0;
            }

            ulong result = ResizeCore(block, size);
            AfterCall("realloc", result);
            return result;
        }
    }

    /// <inheritdoc />
    public ulong UsableSize(ulong address)
    {
        if (address == 0)
        {
            return 0;
        }

        lock (_lock)
        {
            if (!_blocks.TryGetValue(address, out MmapBlock block))
            {
                ThrowBadPointer(address, "malloc_usable_size");
            }

            return block.UsableSize;
        }
    }

    /// <summary>Unmaps every quarantined range (the quarantine is the only memory this strategy holds beyond live blocks).</summary>
    /// <param name="pad">Ignored: this strategy keeps no free memory to pad.</param>
    /// <returns><see langword="true"/> when memory was returned to the OS.</returns>
    public bool Trim(ulong pad)
    {
        lock (_lock)
        {
            bool released = _quarantineOrder.Count > 0;
            while (_quarantineOrder.Count > 0)
            {
                EvictOldestQuarantined();
            }

            return released;
        }
    }

    /// <inheritdoc />
    public AllocatorStatistics GetStatistics()
    {
        lock (_lock)
        {
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
                HeldBytes = _mappedBytes + _quarantineBytes,
                FreeBytes = 0,
                LargestFreeBlock = 0,
                Os = _os.GetStatistics(),
            };
        }
    }

    /// <summary>Gets the number of bytes reserved by quarantined (freed, never reused) ranges.</summary>
    public ulong QuarantinedBytes
    {
        get
        {
            lock (_lock)
            {
                return _quarantineBytes;
            }
        }
    }

    /// <summary>Gets the number of freed blocks currently held in quarantine.</summary>
    public int QuarantinedBlocks
    {
        get
        {
            lock (_lock)
            {
                return _quarantineOrder.Count;
            }
        }
    }

    private ulong AllocateCore(ulong size, ulong alignment)
    {
        if (size > MaxRequestBytes)
        {
            _counters.OnFailed(AllocationFailure.OutOfMemory);
            return 0;
        }

        if (!TryMap(size, alignment, out MmapBlock block, out AllocationFailure failure))
        {
            _counters.OnFailed(failure);
            return 0;
        }

        _blocks.Add(block.UserAddress, block);
        _freedHistory.Remove(block.UserAddress);
        _mappedBytes += block.RegionLength;
        _counters.OnAllocated(size);
        return block.UserAddress;
    }

    /// <summary>Maps a new block: reserves the whole range PROT_NONE, trims the alignment slack, opens the data pages read-write.</summary>
    private bool TryMap(ulong size, ulong alignment, out MmapBlock block, out AllocationFailure failure)
    {
        block = default;
        failure = AllocationFailure.OutOfMemory;
        ulong page = _pageSize;
        ulong placeSize = Math.Max(size, 1);
        ulong before = _guardBefore ? page : 0;
        ulong after = _guardAfter ? page : 0;
        ulong slack = alignment > page ? alignment - page : 0;
        if (slack > MaxRequestBytes / 4 || !AlignmentMath.TryAlignUp(placeSize, page, out ulong dataLength) || dataLength > MaxRequestBytes - before - after - slack)
        {
            return false;
        }

        ulong reserve = before + dataLength + slack + after;
        bool plain = before == 0 && after == 0 && slack == 0;
        OsResult mapped = _os.Mmap(0, reserve, plain ? Protection.ReadWrite : Protection.None, MapFlags.PrivateAnonymous);
        if (!mapped.Succeeded)
        {
            failure = mapped.Error == Errno.EINVAL ? AllocationFailure.InvalidArgument : AllocationFailure.OutOfMemory;
            return false;
        }

        ulong baseAddress = mapped.Value;
        ulong dataStart = alignment > page ? AlignmentMath.AlignUp(baseAddress + before, alignment) : baseAddress + before;
        ulong dataEnd = dataStart + dataLength;
        ulong user = _alignEnd && alignment <= page ? AlignmentMath.AlignDown(dataEnd - placeSize, alignment) : dataStart;
        ulong regionStart = dataStart - before;
        ulong regionEnd = dataEnd + after;
        if (!plain)
        {
            if (regionStart > baseAddress)
            {
                MustSucceed(_os.Munmap(baseAddress, regionStart - baseAddress), "malloc", user, "munmap of the alignment slack");
            }

            if (baseAddress + reserve > regionEnd)
            {
                MustSucceed(_os.Munmap(regionEnd, baseAddress + reserve - regionEnd), "malloc", user, "munmap of the alignment slack");
            }

            OsResult opened = _os.Mprotect(dataStart, dataLength, Protection.ReadWrite);
            if (!opened.Succeeded)
            {
                MustSucceed(_os.Munmap(regionStart, regionEnd - regionStart), "malloc", user, "munmap after a failed mprotect");
                return false;
            }
        }

        block = new MmapBlock(regionStart, regionEnd - regionStart, dataStart, dataLength, user, size, alignment);
        return true;
    }

    private ulong ResizeCore(MmapBlock block, ulong size)
    {
        ulong page = _pageSize;
        ulong newDataLength = AlignmentMath.AlignUp(size, page);

        // Still fits at the same address with the same placement rule: keep it.
        bool endPlacementHolds = !_alignEnd || block.Alignment > page || AlignmentMath.AlignDown(block.DataEnd - size, block.Alignment) == block.UserAddress;
        if (size <= block.DataEnd - block.UserAddress && endPlacementHolds && newDataLength == block.DataLength)
        {
            return Resized(block, block with { RequestedSize = size });
        }

        // Guard before, end placement, an offset start or an alignment above the page size cannot ride along mremap
        // (it returns page-aligned addresses): move the block, Electric-Fence style, so guards and placement stay exact.
        if (_guardBefore || _alignEnd || block.UserAddress != block.DataStart || block.Alignment > page)
        {
            return MoveBlock(block, size);
        }

        // [data][guard after?]: mremap the data pages to the new length plus room for a guard (in place when there is room,
        // else moved; with a guard behind it the data always moves), then drop the old guard and fence the new tail.
        // Nothing has changed when mremap fails, and the munmap before the mprotect keeps the map count unchanged.
        ulong after = block.GuardAfterLength;
        OsResult remapped = _os.Mremap(block.DataStart, block.DataLength, newDataLength + after, MremapFlags.MayMove);
        if (!remapped.Succeeded)
        {
            _counters.OnFailed(AllocationFailure.OutOfMemory);
            return 0;
        }

        ulong newStart = remapped.Value;
        if (after != 0)
        {
            MustSucceed(_os.Munmap(block.DataEnd, after), "realloc", block.UserAddress, "munmap of the old guard page");
            MustSucceed(_os.Mprotect(newStart + newDataLength, after, Protection.None), "realloc", newStart, "mprotect of the new guard page");
        }

        var moved = new MmapBlock(newStart, newDataLength + after, newStart, newDataLength, newStart, size, block.Alignment);
        _blocks.Remove(block.UserAddress);
        _blocks.Add(newStart, moved);
        _freedHistory.Remove(newStart);
        _mappedBytes = _mappedBytes - block.RegionLength + moved.RegionLength;
        _counters.OnResized(block.RequestedSize, size);
        return newStart;
    }

    private ulong Resized(MmapBlock block, MmapBlock updated)
    {
        _blocks[block.UserAddress] = updated;
        _counters.OnResized(block.RequestedSize, updated.RequestedSize);
        return updated.UserAddress;
    }

    private ulong MoveBlock(MmapBlock block, ulong size)
    {
        if (!TryMap(size, block.Alignment, out MmapBlock fresh, out AllocationFailure failure))
        {
            _counters.OnFailed(failure);
            return 0;
        }

        _os.Copy(fresh.UserAddress, block.UserAddress, Math.Min(size, block.RequestedSize));
        _blocks.Remove(block.UserAddress);
        Release(block, "realloc");
        _blocks.Add(fresh.UserAddress, fresh);
        _freedHistory.Remove(fresh.UserAddress);
        _mappedBytes += fresh.RegionLength;
        _counters.OnResized(block.RequestedSize, size);
        return fresh.UserAddress;
    }

    private MmapBlock TakeBlock(ulong address, string operation)
    {
        if (!_blocks.Remove(address, out MmapBlock block))
        {
            ThrowBadPointer(address, operation);
        }

        return block;
    }

    /// <summary>Unmaps a block at once, or replaces it with a PROT_NONE reservation when the quarantine is on.</summary>
    private void Release(MmapBlock block, string operation)
    {
        _mappedBytes -= block.RegionLength;
        if (_quarantine)
        {
            OsResult reserved = _os.Mmap(block.RegionStart, block.RegionLength, Protection.None, MapFlags.PrivateAnonymous | MapFlags.Fixed);
            if (reserved.Succeeded)
            {
                _quarantined[block.UserAddress] = block;
                _quarantineOrder.Enqueue(block.UserAddress);
                _quarantineBytes += block.RegionLength;
                while (_quarantineOrder.Count > _quarantineMaxBlocks || _quarantineBytes > _quarantineMaxBytes)
                {
                    EvictOldestQuarantined();
                }

                return;
            }
        }

        MustSucceed(_os.Munmap(block.RegionStart, block.RegionLength), operation, block.UserAddress, "munmap of the block");
        RememberFreed(block.UserAddress);
    }

    private void EvictOldestQuarantined()
    {
        ulong address = _quarantineOrder.Dequeue();
        if (_quarantined.Remove(address, out MmapBlock block))
        {
            _quarantineBytes -= block.RegionLength;
            MustSucceed(_os.Munmap(block.RegionStart, block.RegionLength), "quarantine", address, "munmap of a quarantined range");
            RememberFreed(address);
        }
    }

    private void RememberFreed(ulong address)
    {
        long sequence = ++_freeSequence;
        _freedHistory[address] = sequence;
        _freedOrder.Enqueue((address, sequence));
        while (_freedOrder.Count > FreedHistoryCapacity)
        {
            (ulong old, long oldSequence) = _freedOrder.Dequeue();
            if (_freedHistory.TryGetValue(old, out long current) && current == oldSequence)
            {
                _freedHistory.Remove(old);
            }
        }
    }

    private void MustSucceed(OsResult result, string operation, ulong address, string what)
    {
        if (!result.Succeeded)
        {
            throw new HeapCorruptionException(StrategyName, operation, address, $"{what} failed with {result.Error}", "the mapping was changed behind the allocator's back");
        }
    }

    private void AfterCall(string operation, ulong address)
    {
        if (_checkLevel == HeapCheckLevel.None)
        {
            return;
        }

        HeapCheckResult result;
        if (_checkLevel == HeapCheckLevel.Full)
        {
            result = CheckHeapCore(HeapCheckLevel.Full);
        }
        else if (address != 0 && _blocks.TryGetValue(address, out MmapBlock block))
        {
            var failures = new List<HeapCheckFailure>();
            CheckBlock(block, failures);
            result = HeapCheckResult.From(failures);
        }
        else
        {
            return;
        }

        if (!result.Succeeded)
        {
            HeapCheckFailure first = result.Failures[0];
            throw new HeapCorruptionException(StrategyName, operation, first.Address, first.Id + ": " + first.Message, result.ToString());
        }
    }
}
