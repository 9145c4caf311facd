// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using Allocators.Os.Internals;

namespace Allocators.Os;

/// <content>
/// The page table: a 2-level radix tree over the simulated page number (35 bits: 47-bit user addresses with 4 KiB
/// pages), one <see cref="PageEntry"/> per page. The root has 2^17 slots, each leaf 2^18 entries (2 MiB, covering
/// 1 GiB of simulated space with 4 KiB pages). Root slots hold the leaf's offset from a shared all-zero leaf, so a
/// zero-filled root already means "nothing mapped" and a lookup is two dependent loads with no null test. The root
/// and the leaves are host MAP_NORESERVE memory: only the parts that hold entries cost host memory. Leaves are
/// created under the system-call lock and published with a volatile store; readers never lock.
/// </content>
public sealed unsafe partial class SimulatedOs
{
    private const int LeafBits = 18;
    private const ulong LeafMask = (1UL << LeafBits) - 1;
    private const ulong LeafBytes = (1UL << LeafBits) * sizeof(ulong);

    /// <summary>Page numbers at or above this are outside the table (never mapped): 2^35 pages of 4 KiB is 2^47 bytes.</summary>
    private const ulong PageNumberLimit = 1UL << 35;

    private const ulong RootBytes = (PageNumberLimit >> LeafBits) * sizeof(ulong);

    private readonly List<nint> _leaves = new();
    private nint* _root;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong LoadEntry(ulong pageNumber)
        => ((ulong*)(ZeroTables.Leaf + _root[pageNumber >> LeafBits]))[pageNumber & LeafMask];

    /// <summary>Gets the slot of a page whose leaf may be the shared zero leaf (read only then).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong* LookupSlot(ulong pageNumber)
        => (ulong*)(ZeroTables.Leaf + _root[pageNumber >> LeafBits]) + (pageNumber & LeafMask);

    /// <summary>Gets the slot of a page, creating its leaf. Under the lock.</summary>
    private ulong* SlotForUpdate(ulong pageNumber)
    {
        nint* rootSlot = _root + (pageNumber >> LeafBits);
        if (*rootSlot == 0)
        {
            nint leaf = HostMemory.Map(LeafBytes);
            if (leaf == 0)
            {
                throw new System.OutOfMemoryException("The host refused memory for a page-table leaf.");
            }

            _leaves.Add(leaf);
            Volatile.Write(ref *rootSlot, leaf - ZeroTables.Leaf);
        }

        return (ulong*)(ZeroTables.Leaf + *rootSlot) + (pageNumber & LeafMask);
    }

    private void InitializePageTable()
    {
        nint root = ReserveHost(RootBytes, 1);
        if (root == 0)
        {
            throw new System.OutOfMemoryException("The host refused memory for the page-table root.");
        }

        _root = (nint*)root;

        // Initialize the shared zero tables now, not on the first memory access: code that inlines the access fast
        // path and is compiled after this point (fully optimized callers) then folds ZeroTables.Leaf into a constant
        // instead of testing the class-initialization flag on every access.
        if (ZeroTables.Leaf == 0)
        {
            throw new System.OutOfMemoryException("The host refused memory for the shared zero page table.");
        }
    }

    private void FreePageTable()
    {
        nint root = (nint)_root;
        _root = ZeroTables.Root;
        HostMemory.Unmap(root, RootBytes);
        foreach (nint leaf in _leaves)
        {
            HostMemory.Unmap(leaf, LeafBytes);
        }

        _leaves.Clear();
    }

    /// <summary>Enters freshly mapped, untouched pages backed by consecutive host pages.</summary>
    private void MapPages(ulong start, ulong bytes, nint host, Protection protection, bool reserved)
    {
        ulong first = start >> _pageShift;
        ulong count = bytes >> _pageShift;
        for (ulong i = 0; i < count; i++)
        {
            ulong* slot = SlotForUpdate(first + i);
            Volatile.Write(ref *slot, PageEntry.Create(host + (nint)(i << _pageShift), protection, reserved));
        }
    }

    /// <summary>
    /// Removes every mapped page of [start, end): pages of a reservation give their host pages back zeroed (only
    /// touched ones need it), other pages unmap their host pages. Walks the mappings, not the range, so a huge
    /// munmap over holes costs nothing. Under the lock, before the mapping list changes.
    /// </summary>
    private void ReleasePages(ulong start, ulong end)
    {
        NoteLoss(start, end);
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
                if ((entry & PageEntry.Reserved) != 0)
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
        NoteLoss(start, end);
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
        NoteLoss(start, end);
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
    /// mremap's move: copies the resident pages of [source, source + bytes) to the freshly mapped pages at
    /// <paramref name="destination"/>, which become resident too (RSS is adjusted when the source is released).
    /// </summary>
    private void CopyResidentPages(ulong source, ulong destination, ulong bytes)
    {
        ulong count = bytes >> _pageShift;
        ulong from = source >> _pageShift;
        ulong to = destination >> _pageShift;
        long copied = 0;
        for (ulong i = 0; i < count; i++)
        {
            ulong entry = LoadEntry(from + i);
            if ((entry & PageEntry.Resident) == 0)
            {
                continue;
            }

            ulong* slot = LookupSlot(to + i);
            ulong target = *slot;
            System.Buffer.MemoryCopy((void*)(entry & PageEntry.HostMask), (void*)(target & PageEntry.HostMask), _pageSize, _pageSize);
            Volatile.Write(ref *slot, PageEntry.MakeResident(target));
            copied++;
        }

        Interlocked.Add(ref _residentPages, copied);
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

    /// <summary>
    /// The shared all-zero leaf that stands for missing leaves, and an all-zero root for a disposed process
    /// (process lifetime; never written, so they stay the host's zero page).
    /// </summary>
    private static class ZeroTables
    {
        public static readonly nint Leaf = MapOrThrow(LeafBytes);
        public static readonly nint* Root = (nint*)MapOrThrow(RootBytes);

        private static nint MapOrThrow(ulong bytes)
        {
            nint table = HostMemory.Map(bytes);
            return table != 0 ? table : throw new System.OutOfMemoryException("The host refused memory for the shared zero page table.");
        }
    }
}
