// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using Allocators.Os.Internals;

namespace Allocators.Os;

/// <content>
/// The mapping list: the VMAs in address order, never overlapping. Every change goes through a two-phase rewrite of
/// the window of areas it touches (<see cref="PrepareRewrite"/> computes the replacement, merged with its neighbours
/// like Linux's vma_merge, and the resulting map count, VSZ and data size; <see cref="CommitRewrite"/> applies it),
/// so a limit check can refuse a call before anything changed. Under the system-call lock.
/// </content>
public sealed partial class SimulatedOs
{
    private readonly List<Vma> _vmas = new();
    private readonly List<Vma> _pending = new();
    private int _pendingIndex;
    private int _pendingRemoveCount;
    private ulong _pendingOldVsz;
    private ulong _pendingNewVsz;
    private ulong _pendingOldData;
    private ulong _pendingNewData;
    private ulong _pendingEnd;

    // Top-down search cache (exact, like Linux's gap-augmented tree in effect): every gap lying entirely at or above
    // _searchCeiling (and below the mmap base) is at most _gapAboveCeiling bytes, so a longer request starts its
    // walk at _searchCeiling. Mapping only shrinks gaps; an unmap reaching above the ceiling resets the cache.
    private ulong _searchCeiling;
    private ulong _gapAboveCeiling;

    private enum RewriteKind
    {
        Unmap,
        Map,
        Protect,
    }

    /// <summary>Gets the map count the prepared rewrite would leave.</summary>
    private int PendingMapCount => _vmas.Count - _pendingRemoveCount + _pending.Count;

    /// <summary>Returns the index of the first area ending after <paramref name="address"/>.</summary>
    private int LowerBoundEnd(ulong address)
    {
        int lo = 0;
        int hi = _vmas.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_vmas[mid].End > address)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo;
    }

    /// <summary>Returns the index of the area containing <paramref name="address"/>, or −1.</summary>
    private int FindVma(ulong address)
    {
        int i = LowerBoundEnd(address);
        return i < _vmas.Count && _vmas[i].Start <= address ? i : -1;
    }

    private bool IsRangeFree(ulong start, ulong end)
    {
        int i = LowerBoundEnd(start);
        return i == _vmas.Count || _vmas[i].Start >= end;
    }

    private bool IsFullyMapped(ulong start, ulong end)
    {
        ulong cursor = start;
        for (int i = LowerBoundEnd(start); i < _vmas.Count && cursor < end; i++)
        {
            if (_vmas[i].Start > cursor)
            {
                return false;
            }

            cursor = _vmas[i].End;
        }

        return cursor >= end;
    }

    /// <summary>
    /// Computes the areas that replace the window around [start, end): <see cref="RewriteKind.Unmap"/> removes the
    /// range, <see cref="RewriteKind.Map"/> puts <paramref name="mapped"/> there (replacing what was there),
    /// <see cref="RewriteKind.Protect"/> changes the protection of the mapped parts. Neighbours that touch the range
    /// are part of the window so that equal areas merge.
    /// </summary>
    private void PrepareRewrite(ulong start, ulong end, RewriteKind kind, in Vma mapped = default, Protection protection = Protection.None)
    {
        _pending.Clear();
        int lo = LowerBoundEnd(start == 0 ? 0 : start - 1);
        int hi = lo;
        while (hi < _vmas.Count && _vmas[hi].Start <= end)
        {
            hi++;
        }

        bool inserted = kind != RewriteKind.Map;
        ulong oldVsz = 0;
        ulong oldData = 0;
        for (int i = lo; i < hi; i++)
        {
            Vma v = _vmas[i];
            oldVsz += v.Length;
            oldData += v.IsData ? v.Length : 0;
            if (v.End <= start || v.Start >= end)
            {
                if (!inserted && v.Start >= end)
                {
                    _pending.Add(mapped);
                    inserted = true;
                }

                _pending.Add(v);
                continue;
            }

            if (v.Start < start)
            {
                _pending.Add(v.Slice(v.Start, start));
            }

            if (kind == RewriteKind.Protect)
            {
                _pending.Add(v.Slice(Math.Max(v.Start, start), Math.Min(v.End, end)) with { Protection = protection });
            }
            else if (!inserted)
            {
                _pending.Add(mapped);
                inserted = true;
            }

            if (v.End > end)
            {
                _pending.Add(v.Slice(end, v.End));
            }
        }

        if (!inserted)
        {
            _pending.Add(mapped);
        }

        int write = 0;
        ulong newVsz = 0;
        ulong newData = 0;
        for (int read = 0; read < _pending.Count; read++)
        {
            Vma v = _pending[read];
            newVsz += v.Length;
            newData += v.IsData ? v.Length : 0;
            if (write > 0 && _pending[write - 1].CanMergeWith(v))
            {
                _pending[write - 1] = _pending[write - 1] with { End = v.End };
            }
            else
            {
                _pending[write++] = v;
            }
        }

        _pending.RemoveRange(write, _pending.Count - write);
        _pendingIndex = lo;
        _pendingRemoveCount = hi - lo;
        _pendingOldVsz = oldVsz;
        _pendingNewVsz = newVsz;
        _pendingOldData = oldData;
        _pendingNewData = newData;
        _pendingEnd = end;
    }

    /// <summary>Checks the prepared rewrite against RLIMIT_AS, RLIMIT_DATA and vm.max_map_count (growth only).</summary>
    private Errno CheckPendingLimits()
    {
        ulong newVsz = _vszBytes - _pendingOldVsz + _pendingNewVsz;
        ulong addressSpaceLimit = Limits.AddressSpaceLimitBytes;
        if (newVsz > _vszBytes && addressSpaceLimit != 0 && newVsz > addressSpaceLimit)
        {
            return Errno.ENOMEM;
        }

        ulong newData = _dataBytes - _pendingOldData + _pendingNewData;
        ulong dataLimit = Limits.DataLimitBytes;
        if (newData > _dataBytes && dataLimit != 0 && newData > dataLimit)
        {
            return Errno.ENOMEM;
        }

        int count = PendingMapCount;
        return count > _vmas.Count && count > Limits.MaxMapCount ? Errno.ENOMEM : Errno.None;
    }

    private void CommitRewrite()
    {
        _vmas.RemoveRange(_pendingIndex, _pendingRemoveCount);
        _vmas.InsertRange(_pendingIndex, _pending);
        if (_pendingNewVsz < _pendingOldVsz && _pendingEnd > _searchCeiling)
        {
            _searchCeiling = _mmapBase;
            _gapAboveCeiling = 0;
        }

        _vszBytes = _vszBytes - _pendingOldVsz + _pendingNewVsz;
        _dataBytes = _dataBytes - _pendingOldData + _pendingNewData;
        if (_vszBytes > _peakVszBytes)
        {
            _peakVszBytes = _vszBytes;
        }

        _pending.Clear();
        _pendingRemoveCount = 0;
    }

    /// <summary>
    /// get_unmapped_area: the hint when its range is free, else the highest free gap below the mmap base (Linux's
    /// top-down allocator, which reuses holes), else the lowest gap above it. Returns 0 when nothing fits.
    /// </summary>
    private ulong FindFreeRange(ulong hint, ulong length)
    {
        if (hint != 0 && hint <= _taskSize)
        {
            ulong aligned = PageCeil(hint);
            if (aligned >= _mmapMinAddress && aligned <= _taskSize - length && IsRangeFree(aligned, aligned + length))
            {
                return aligned;
            }
        }

        bool useCache = length > _gapAboveCeiling;
        ulong ceiling = useCache ? _searchCeiling : _mmapBase;
        ulong largestSkipped = useCache ? _gapAboveCeiling : 0;
        int i = LowerBoundEnd(ceiling);
        if (i < _vmas.Count && _vmas[i].Start < ceiling)
        {
            ceiling = _vmas[i].Start;
        }

        for (i--; ; i--)
        {
            ulong floor = i >= 0 ? Math.Max(_vmas[i].End, _mmapMinAddress) : _mmapMinAddress;
            ulong gap = ceiling > floor ? ceiling - floor : 0;
            if (gap >= length)
            {
                _searchCeiling = ceiling;
                _gapAboveCeiling = largestSkipped;
                return ceiling - length;
            }

            largestSkipped = Math.Max(largestSkipped, gap);
            if (i < 0 || _vmas[i].Start <= _mmapMinAddress)
            {
                break;
            }

            ceiling = _vmas[i].Start;
        }

        ulong low = _mmapBase;
        for (i = LowerBoundEnd(low); ; i++)
        {
            ulong next = i < _vmas.Count ? _vmas[i].Start : _taskSize;
            if (next > low && next - low >= length)
            {
                return low;
            }

            if (i >= _vmas.Count)
            {
                return 0;
            }

            low = Math.Max(low, _vmas[i].End);
        }
    }
}
