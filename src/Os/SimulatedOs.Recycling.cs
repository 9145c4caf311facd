// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Threading;
using Allocators.Os.Internals;

namespace Allocators.Os;

/// <content>
/// Recycling of host reservations. A disposed process whose reservations hold at most <see cref="MaxRecycledPages"/>
/// touched pages zeroes those pages in place and leaves its two reservations (heap and mmap window) as the one spare;
/// the next process asking for reservations of the same sizes takes the spare instead of reserving new host memory.
/// The spare reads all zero exactly like fresh host memory, but its pages that were touched are still populated on the
/// host, so the new process's first touches of them cost no host page fault. Only simulated state matters for the
/// simulation (residency, RSS and faults start from nothing in the new page table), so nothing observable changes.
/// </content>
public sealed unsafe partial class SimulatedOs
{
    /// <summary>The most touched reservation pages a disposed process zeroes to recycle its reservations (64 MiB of 4 KiB pages).</summary>
    private const long MaxRecycledPages = 16384;

    /// <summary>The spare reservations; taken and offered with atomic exchanges (disposal may run on the finalizer thread).</summary>
    private static SpareReservation? s_spare;

    /// <summary>
    /// Takes the spare when its sizes (and huge-page prefix of the heap) match; a spare of other sizes is given back to
    /// the host.
    /// </summary>
    private static bool TakeSpareReservation(ulong heapBytes, ulong heapHugeBytes, ulong windowBytes, out nint heapHost, out nint windowHost)
    {
        SpareReservation? spare = Interlocked.Exchange(ref s_spare, null);
        if (spare is not null && spare.HeapBytes == heapBytes && spare.HeapHugeBytes == heapHugeBytes && spare.WindowBytes == windowBytes)
        {
            heapHost = spare.HeapHost;
            windowHost = spare.WindowHost;
            return true;
        }

        spare?.Unmap();
        heapHost = 0;
        windowHost = 0;
        return false;
    }

    /// <summary>Leaves zeroed reservations as the spare; false (the caller unmaps them) when a spare is already there.</summary>
    private static bool OfferSpareReservation(nint heapHost, ulong heapBytes, ulong heapHugeBytes, nint windowHost, ulong windowBytes)
        => Interlocked.CompareExchange(ref s_spare, new SpareReservation(heapHost, heapBytes, heapHugeBytes, windowHost, windowBytes), null) is null;

    /// <summary>Zeroes every resident page backed by a reservation (under the lock, at disposal, before the page table goes).</summary>
    /// <returns>True.</returns>
    private bool ZeroResidentReservedPages()
    {
        foreach (Vma v in _vmas)
        {
            for (ulong page = v.Start >> _pageShift, last = v.End >> _pageShift; page < last; page++)
            {
                ulong entry = LoadEntry(page);
                if ((entry & (PageEntry.Reserved | PageEntry.Resident)) == (PageEntry.Reserved | PageEntry.Resident))
                {
                    new Span<byte>((void*)(entry & PageEntry.HostMask), _pageSize).Clear();
                }
            }
        }

        return true;
    }

    /// <summary>Two zeroed host reservations left by a disposed process (the heap's first HeapHugeBytes advised huge pages).</summary>
    private sealed record SpareReservation(nint HeapHost, ulong HeapBytes, ulong HeapHugeBytes, nint WindowHost, ulong WindowBytes)
    {
        public void Unmap()
        {
            HostMemory.Unmap(HeapHost, HeapBytes);
            HostMemory.Unmap(WindowHost, WindowBytes);
        }
    }
}
