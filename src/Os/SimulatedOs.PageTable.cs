// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using Allocators.Os.Internals;

namespace Allocators.Os;

/// <content>
/// The page table: a 3-level radix tree of 4096-entry tables over the simulated page number (36 bits, enough for
/// 48-bit addresses with 4 KiB pages), one <see cref="PageEntry"/> per page. Missing levels point at shared all-zero
/// tables, so a lookup is always three dependent loads with no null test. Tables are created under the system-call
/// lock and published with a volatile store; readers never lock.
/// </content>
public sealed unsafe partial class SimulatedOs
{
    private const int LevelBits = 12;
    private const ulong LevelMask = (1UL << LevelBits) - 1;
    private const int TableBytes = (1 << LevelBits) * sizeof(ulong);

    /// <summary>Page numbers at or above this are outside the table (never mapped).</summary>
    private const ulong PageNumberLimit = 1UL << (3 * LevelBits);

    private readonly List<nint> _tables = new();
    private nint* _root;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong LoadEntry(ulong pageNumber)
        => ((ulong*)((nint*)_root[pageNumber >> (2 * LevelBits)])[(pageNumber >> LevelBits) & LevelMask])[pageNumber & LevelMask];

    /// <summary>Gets the slot of a page whose leaf table may be the shared zero table (read only then).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong* LookupSlot(ulong pageNumber)
        => (ulong*)((nint*)_root[pageNumber >> (2 * LevelBits)])[(pageNumber >> LevelBits) & LevelMask] + (pageNumber & LevelMask);

    /// <summary>Gets the slot of a page, creating its tables. Under the lock.</summary>
    private ulong* SlotForUpdate(ulong pageNumber)
    {
        nint* rootSlot = _root + (pageNumber >> (2 * LevelBits));
        nint* mid = (nint*)*rootSlot;
        if (mid == ZeroTables.Mid)
        {
            mid = (nint*)NewTable((nint)ZeroTables.Leaf);
            Volatile.Write(ref *rootSlot, (nint)mid);
        }

        nint* midSlot = mid + ((pageNumber >> LevelBits) & LevelMask);
        ulong* leaf = (ulong*)*midSlot;
        if (leaf == ZeroTables.Leaf)
        {
            leaf = (ulong*)NewTable(0);
            Volatile.Write(ref *midSlot, (nint)leaf);
        }

        return leaf + (pageNumber & LevelMask);
    }

    private void InitializePageTable()
    {
        _root = (nint*)NewTable((nint)ZeroTables.Mid);
    }

    private nint NewTable(nint fill)
    {
        nint* table = (nint*)NativeMemory.AllocZeroed(TableBytes);
        if (fill != 0)
        {
            new System.Span<nint>(table, 1 << LevelBits).Fill(fill);
        }

        _tables.Add((nint)table);
        return (nint)table;
    }

    private void FreePageTable()
    {
        _root = ZeroTables.Root;
        foreach (nint table in _tables)
        {
            NativeMemory.Free((void*)table);
        }

        _tables.Clear();
    }

    /// <summary>Enters freshly mapped, untouched pages backed by consecutive host pages.</summary>
    private void MapPages(ulong start, ulong bytes, nint host, Protection protection, bool heap)
    {
        ulong first = start >> _pageShift;
        ulong count = bytes >> _pageShift;
        for (ulong i = 0; i < count; i++)
        {
            ulong* slot = SlotForUpdate(first + i);
            Volatile.Write(ref *slot, PageEntry.Create(host + (nint)(i << _pageShift), protection, heap));
        }
    }

    /// <summary>
    /// Removes every mapped page of [start, end): heap pages give their host pages back to the reservation
    /// (discarded when touched), other pages unmap their host pages. Walks the mappings, not the range, so a huge
    /// munmap over holes costs nothing. Under the lock, before the mapping list changes.
    /// </summary>
    private void ReleasePages(ulong start, ulong end)
    {
        var unmap = new HostBatch(unmap: true);
        var discard = new HostBatch(unmap: false);
        long dropped = 0;
        for (int i = LowerBoundEnd(start); i < _vmas.Count && _vmas[i].Start < end; i++)
        {
            ulong from = System.Math.Max(_vmas[i].Start, start) >> _pageShift;
            ulong to = System.Math.Min(_vmas[i].End, end) >> _pageShift;
            for (ulong page = from; page < to; page++)
            {
                ulong entry = Interlocked.Exchange(ref *LookupSlot(page), 0);
                if ((entry & PageEntry.Mapped) == 0)
                {
                    continue;
                }

                bool resident = (entry & PageEntry.Resident) != 0;
                if (resident)
                {
                    dropped++;
                }

                nint host = (nint)(entry & PageEntry.HostMask);
                if ((entry & PageEntry.Heap) != 0)
                {
                    if (resident)
                    {
                        discard.Add(host, (ulong)_pageSize);
                    }
                }
                else
                {
                    unmap.Add(host, (ulong)_pageSize);
                }
            }
        }

        unmap.Flush();
        discard.Flush();
        Interlocked.Add(ref _residentPages, -dropped);
    }

    /// <summary>madvise(MADV_DONTNEED): makes the resident pages of [start, end) not resident and zero.</summary>
    private void DropPages(ulong start, ulong end)
    {
        var discard = new HostBatch(unmap: false);
        long dropped = 0;
        for (int i = LowerBoundEnd(start); i < _vmas.Count && _vmas[i].Start < end; i++)
        {
            ulong from = System.Math.Max(_vmas[i].Start, start) >> _pageShift;
            ulong to = System.Math.Min(_vmas[i].End, end) >> _pageShift;
            for (ulong page = from; page < to; page++)
            {
                ulong* slot = LookupSlot(page);
                while (true)
                {
                    ulong entry = Volatile.Read(ref *slot);
                    if ((entry & PageEntry.Resident) == 0)
                    {
                        break;
                    }

                    if (Interlocked.CompareExchange(ref *slot, PageEntry.MakeNotResident(entry), entry) == entry)
                    {
                        dropped++;
                        discard.Add((nint)(entry & PageEntry.HostMask), (ulong)_pageSize);
                        break;
                    }
                }
            }
        }

        discard.Flush();
        Interlocked.Add(ref _residentPages, -dropped);
    }

    /// <summary>mprotect: changes the protection of every page of [start, end), all of which are mapped.</summary>
    private void ProtectPages(ulong start, ulong end, Protection protection)
    {
        for (ulong page = start >> _pageShift, last = end >> _pageShift; page < last; page++)
        {
            ulong* slot = LookupSlot(page);
            while (true)
            {
                ulong entry = Volatile.Read(ref *slot);
                if (Interlocked.CompareExchange(ref *slot, PageEntry.WithProtection(entry, protection), entry) == entry)
                {
                    break;
                }
            }
        }
    }

    /// <summary>
    /// mremap's move: the pages of [source, source + bytes) move to [destination, …) keeping contents and residency.
    /// Non-heap pages move their host page with them (no copy). Heap pages belong to the heap reservation, so their
    /// contents are copied to <paramref name="copyHost"/> (consecutive host pages) and the heap pages discarded.
    /// </summary>
    private void MovePages(ulong source, ulong destination, ulong bytes, nint copyHost)
    {
        var discard = new HostBatch(unmap: false);
        ulong count = bytes >> _pageShift;
        ulong from = source >> _pageShift;
        ulong to = destination >> _pageShift;
        for (ulong i = 0; i < count; i++)
        {
            ulong entry = Interlocked.Exchange(ref *LookupSlot(from + i), 0);
            if ((entry & PageEntry.Heap) != 0)
            {
                nint oldHost = (nint)(entry & PageEntry.HostMask);
                nint newHost = copyHost + (nint)(i << _pageShift);
                if ((entry & PageEntry.Resident) != 0)
                {
                    System.Buffer.MemoryCopy((void*)oldHost, (void*)newHost, _pageSize, _pageSize);
                    discard.Add(oldHost, (ulong)_pageSize);
                }

                entry = ((ulong)newHost & PageEntry.HostMask) | (entry & ~(PageEntry.HostMask | PageEntry.Heap));
            }

            Volatile.Write(ref *SlotForUpdate(to + i), entry);
        }

        discard.Flush();
    }

    /// <summary>Counts the resident pages of [start, end).</summary>
    private ulong CountResidentPages(ulong start, ulong end)
    {
        ulong resident = 0;
        for (ulong page = start >> _pageShift, last = end >> _pageShift; page < last; page++)
        {
            if ((LoadEntry(page) & PageEntry.Resident) != 0)
            {
                resident++;
            }
        }

        return resident;
    }

    /// <summary>The shared all-zero tables that stand for missing levels (process lifetime).</summary>
    private static class ZeroTables
    {
        public static readonly ulong* Leaf = (ulong*)NativeMemory.AllocZeroed(TableBytes);
        public static readonly nint* Mid = Filled((nint)Leaf);
        public static readonly nint* Root = Filled((nint)Mid);

        private static nint* Filled(nint value)
        {
            nint* table = (nint*)NativeMemory.AllocZeroed(TableBytes);
            new System.Span<nint>(table, 1 << LevelBits).Fill(value);
            return table;
        }
    }
}
