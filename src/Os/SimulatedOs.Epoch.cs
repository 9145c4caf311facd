// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.Threading;
using Allocators.Os.Internals;

namespace Allocators.Os;

/// <content>
/// The access epoch and the registered <see cref="DirectAccessWindow"/>s. Whenever pages may lose residency, mapping or
/// access rights (munmap, a brk shrink, MAP_FIXED over existing pages, mprotect, madvise that drops pages, mremap,
/// disposal), the process first unmarks those pages in every window and increases the epoch, under the system-call
/// lock, before anything changes; a window marks a page only under the same lock, after seeing it resident, readable,
/// writable and backed by the heap reservation.
/// </content>
public sealed unsafe partial class SimulatedOs
{
    private readonly List<WeakReference<DirectAccessWindow>> _windows = new();
    private long _accessEpoch;

    /// <summary>
    /// Gets the access epoch: a counter that increases whenever pages may lose residency, mapping or access rights
    /// (munmap, brk shrink, MAP_FIXED over mapped pages, mprotect, madvise dropping pages, mremap, <see cref="Dispose"/>).
    /// Touching pages (which only makes them resident) never changes it.
    /// </summary>
    public long AccessEpoch => Volatile.Read(ref _accessEpoch);

    /// <summary>Registers a window so that losses unmark its pages; returns the heap reservation, whose simulated pages live at <c>host + (address - low)</c>.</summary>
    /// <param name="window">The window.</param>
    /// <param name="low">Receives the first address of the heap reservation.</param>
    /// <param name="bytes">Receives its size.</param>
    /// <param name="host">Receives the host address of <paramref name="low"/>.</param>
    /// <returns>False (nothing registered) when the process is disposed.</returns>
    internal bool RegisterWindow(DirectAccessWindow window, out ulong low, out ulong bytes, out nint host)
    {
        lock (_lock)
        {
            low = _initialBreak;
            bytes = _heapReservation;
            host = _heapHost;
            if (_disposed || host == 0)
            {
                return false;
            }

            _windows.RemoveAll(static w => !w.TryGetTarget(out _));
            _windows.Add(new WeakReference<DirectAccessWindow>(window));
            return true;
        }
    }

    /// <summary>
    /// Marks the page in <paramref name="window"/>, under the system-call lock, when the page of <paramref name="address"/> may be read
    /// and written straight through the heap reservation: resident, readable and writable, and backed by the reservation
    /// at <c>host + (page - low)</c> (a page mapped there by mmap or mremap has host memory of its own and does not
    /// qualify). Under the lock no loss can unmark the page between the test and the mark.
    /// </summary>
    /// <param name="window">The window to mark the page in.</param>
    /// <param name="address">Any address of the page.</param>
    internal void MarkIfDirect(DirectAccessWindow window, ulong address)
    {
        lock (_lock)
        {
            if (!_disposed && IsDirectHeapPage(address))
            {
                window.MarkLocked(address);
            }
        }
    }

    /// <summary>Whether the page of <paramref name="address"/> is a direct heap page (see <see cref="MarkIfDirect"/>). Under the lock.</summary>
    /// <param name="address">Any address of the page.</param>
    /// <returns>True when the page qualifies.</returns>
    internal bool IsDirectHeapPageLocked(ulong address) => !_disposed && IsDirectHeapPage(address);

    private bool IsDirectHeapPage(ulong address)
    {
        ulong page = address >> _pageShift;
        if (page >= PageNumberLimit || address < _initialBreak || address - _initialBreak >= _heapReservation)
        {
            return false;
        }

        ulong entry = LoadEntry(page);
        ulong pageStart = page << _pageShift;
        const ulong Direct = PageEntry.FastRead | PageEntry.FastWrite | PageEntry.Reserved;
        return (entry & Direct) == Direct && (entry & PageEntry.HostMask) == (ulong)_heapHost + (pageStart - _initialBreak);
    }

    /// <summary>Unmarks the pages of [start, end) in every window and bumps the epoch. Under the lock, before the change.</summary>
    private void NoteLoss(ulong start, ulong end)
    {
        foreach (WeakReference<DirectAccessWindow> w in _windows)
        {
            if (w.TryGetTarget(out DirectAccessWindow? window))
            {
                window.UnmarkLocked(start, end);
            }
        }

        Interlocked.Increment(ref _accessEpoch);
    }
}
