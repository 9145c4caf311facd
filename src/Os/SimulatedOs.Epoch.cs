// Copyright (c) Allocators contributors. MIT License.

using System.Runtime.CompilerServices;
using System.Threading;
using Allocators.Os.Internals;

namespace Allocators.Os;

/// <content>
/// The access epoch and direct runs, which let a <see cref="DirectAccessWindow"/> reach resident pages without the
/// page table. The epoch increases (under the system-call lock, before anything changes) whenever pages may lose
/// residency, mapping or access rights: munmap, a brk shrink, MAP_FIXED over existing pages, mprotect, madvise that
/// drops pages, mremap, and disposal. Each increase logs the affected range in a small ring, so a window over other
/// pages can learn cheaply that it is still valid.
/// </content>
public sealed unsafe partial class SimulatedOs
{
    private const int LossLogSize = 16;

    private readonly ulong[] _lossStart = new ulong[LossLogSize];
    private readonly ulong[] _lossEnd = new ulong[LossLogSize];
    private long _accessEpoch;

    /// <summary>
    /// Gets the access epoch: a counter that increases whenever pages may lose residency, mapping or access rights
    /// (munmap, brk shrink, MAP_FIXED over mapped pages, mprotect, madvise dropping pages, mremap, <see cref="Dispose"/>).
    /// Touching pages (which only makes them resident) never changes it.
    /// </summary>
    public long AccessEpoch => Volatile.Read(ref _accessEpoch);

    /// <summary>Gets the access epoch for the inlined check of <see cref="DirectAccessWindow"/>.</summary>
    internal ref long AccessEpochRef => ref _accessEpoch;

    /// <summary>
    /// Finds the run of pages around <paramref name="address"/> that may be read and written without the page table:
    /// resident, readable and writable, backed by one of the process's host reservations (whose host memory lives as long
    /// as the process) at consecutive host addresses. Scans at most <paramref name="maxPagesDown"/> pages below the
    /// address's page and <paramref name="maxPagesUp"/> above it. Touches nothing.
    /// </summary>
    /// <param name="address">An address inside the run.</param>
    /// <param name="maxPagesDown">How many pages below the address's page may join the run.</param>
    /// <param name="maxPagesUp">How many pages above the address's page may join the run.</param>
    /// <param name="start">Receives the run's first address (page-aligned).</param>
    /// <param name="end">Receives the address just past the run (page-aligned).</param>
    /// <param name="host">Receives the host address of <paramref name="start"/>.</param>
    /// <param name="epoch">Receives the access epoch at which the run was found.</param>
    /// <returns>False when the address's own page does not qualify (then the outputs are 0).</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal bool TryGetDirectRun(ulong address, ulong maxPagesDown, ulong maxPagesUp, out ulong start, out ulong end, out nint host, out long epoch)
    {
        start = 0;
        end = 0;
        host = 0;
        lock (_lock)
        {
            epoch = _accessEpoch;
            ulong page = address >> _pageShift;
            if (_disposed || page >= PageNumberLimit)
            {
                return false;
            }

            ulong entry = LoadEntry(page);
            if (!IsDirect(entry))
            {
                return false;
            }

            ulong hostPage = entry & PageEntry.HostMask;
            ulong first = page;
            while (page - first < maxPagesDown && first > 0)
            {
                ulong e = LoadEntry(first - 1);
                if (!IsDirect(e) || (e & PageEntry.HostMask) != hostPage - ((page - first + 1) << _pageShift))
                {
                    break;
                }

                first--;
            }

            ulong last = page;
            while (last - page < maxPagesUp && last + 1 < PageNumberLimit)
            {
                ulong e = LoadEntry(last + 1);
                if (!IsDirect(e) || (e & PageEntry.HostMask) != hostPage + ((last + 1 - page) << _pageShift))
                {
                    break;
                }

                last++;
            }

            start = first << _pageShift;
            end = (last + 1) << _pageShift;
            host = (nint)(hostPage - ((page - first) << _pageShift));
            return true;
        }
    }

    /// <summary>
    /// Tells whether nothing in [<paramref name="start"/>, <paramref name="end"/>) can have lost residency, mapping or
    /// access rights since <paramref name="sinceEpoch"/>: true when every epoch increase since then is still in the log
    /// and none of their ranges meets the given one. Receives the current epoch.
    /// </summary>
    /// <param name="start">The first address of the range.</param>
    /// <param name="end">The address just past the range.</param>
    /// <param name="sinceEpoch">The epoch at which the range was known to be direct.</param>
    /// <param name="epoch">Receives the current access epoch.</param>
    /// <returns>True when the range is still as it was at <paramref name="sinceEpoch"/>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal bool IsUnchangedSince(ulong start, ulong end, long sinceEpoch, out long epoch)
    {
        lock (_lock)
        {
            epoch = _accessEpoch;
            if (_disposed || sinceEpoch > epoch || epoch - sinceEpoch > LossLogSize)
            {
                return false;
            }

            for (long e = sinceEpoch + 1; e <= epoch; e++)
            {
                int slot = (int)(e % LossLogSize);
                if (_lossStart[slot] < end && start < _lossEnd[slot])
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>Logs that pages of [start, end) may lose residency, mapping or rights, and bumps the epoch. Under the lock, before the change.</summary>
    private void NoteLoss(ulong start, ulong end)
    {
        int slot = (int)((_accessEpoch + 1) % LossLogSize);
        _lossStart[slot] = start;
        _lossEnd[slot] = end;
        Interlocked.Increment(ref _accessEpoch);
    }

    private static bool IsDirect(ulong entry)
        => (entry & (PageEntry.FastRead | PageEntry.FastWrite | PageEntry.Reserved)) == (PageEntry.FastRead | PageEntry.FastWrite | PageEntry.Reserved);
}
