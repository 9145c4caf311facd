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
/// writable and backed by the heap or mmap-window reservation.
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

    /// <summary>
    /// Registers a window so that losses unmark its pages; returns the two host reservations, whose simulated pages live
    /// at <c>host + (address - low)</c>: the heap and the mmap window.
    /// </summary>
    /// <param name="window">The window.</param>
    /// <param name="heap">Receives the heap reservation (low, bytes, host).</param>
    /// <param name="mmap">Receives the mmap-window reservation (low, bytes, host).</param>
    /// <returns>False (nothing registered) when the process is disposed.</returns>
    internal bool RegisterWindow(DirectAccessWindow window, out (ulong Low, ulong Bytes, nint Host) heap, out (ulong Low, ulong Bytes, nint Host) mmap)
    {
        lock (_lock)
        {
            heap = (_initialBreak, _heapReservation, _heapHost);
            mmap = (_windowLow, _mmapBase - _windowLow, _windowHost);
            if (_disposed || _heapHost == 0 || _windowHost == 0)
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
    /// and written straight through a host reservation (see <see cref="IsDirectPage"/>). Under the lock no loss can
    /// unmark the page between the test and the mark.
    /// </summary>
    /// <param name="window">The window to mark the page in.</param>
    /// <param name="address">Any address of the page.</param>
    internal void MarkIfDirect(DirectAccessWindow window, ulong address)
    {
        lock (_lock)
        {
            if (!_disposed && IsDirectPage(address))
            {
                window.MarkLocked(address);
            }
        }
    }

    /// <summary>Whether the page of <paramref name="address"/> is a direct page (see <see cref="MarkIfDirect"/>). Under the lock.</summary>
    /// <param name="address">Any address of the page.</param>
    /// <returns>True when the page qualifies.</returns>
    internal bool IsDirectPageLocked(ulong address) => !_disposed && IsDirectPage(address);

    /// <summary>
    /// Resident, readable, writable, and backed by the heap or mmap-window reservation at its own offset (a page that
    /// mmap or mremap put inside the heap range has host memory of its own and does not qualify).
    /// </summary>
    private bool IsDirectPage(ulong address)
    {
        ulong page = address >> _pageShift;
        if (page >= PageNumberLimit)
        {
            return false;
        }

        ulong pageStart = page << _pageShift;
        ulong expected;
        if (pageStart >= _initialBreak && pageStart - _initialBreak < _heapReservation)
        {
            expected = (ulong)_heapHost + (pageStart - _initialBreak);
        }
        else if (pageStart >= _windowLow && pageStart < _mmapBase)
        {
            expected = (ulong)_windowHost + (pageStart - _windowLow);
        }
        else
        {
            return false;
        }

        ulong entry = LoadEntry(page);
        const ulong Direct = PageEntry.FastRead | PageEntry.FastWrite | PageEntry.Reserved;
        return (entry & Direct) == Direct && (entry & PageEntry.HostMask) == expected;
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
