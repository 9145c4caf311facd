// Copyright (c) Allocators contributors. MIT License.

using System.Runtime.CompilerServices;
using System.Threading;

namespace Allocators.Os;

/// <summary>
/// Word access to a simulated process with a shortcut for the pages its owner uses most: two windows, each one run of
/// resident, readable and writable pages of the heap or mmap reservation, read and written straight through their host
/// memory with one range test and one epoch test. Every other access, the first touch of a page included, goes through
/// the process's ordinary <see cref="ISimulatedOs.ReadUInt64"/>/<see cref="ISimulatedOs.WriteUInt64"/>, so faults, RSS
/// and segmentation faults are exactly those of the process; the windows then grow over the pages found resident.
/// </summary>
/// <remarks>
/// <para>The windows are valid while <see cref="SimulatedOs.AccessEpoch"/> is unchanged; after an increase they ask the
/// process whether their own ranges were affected (munmap, brk shrink, mprotect, madvise, mremap, disposal), and a window
/// that was is dropped. Only pages backed by the process's host reservations join a window, so a stale window can never
/// reach host memory that was given back while the process lives.</para>
/// <para>Window 0 grows from the first pages used (an allocator's own structures sit there); window 1 follows accesses
/// that keep missing both. A miss on the page just past either end extends that window.</para>
/// <para>Not thread-safe: one owner uses it at a time (an allocator under its lock). Over an <see cref="ISimulatedOs"/>
/// that is not a <see cref="SimulatedOs"/> every access goes through the interface.</para>
/// </remarks>
public sealed unsafe class DirectAccessWindow
{
    /// <summary>How far a window may reach from the page that started it (pages, each way): 256 MiB of 4 KiB pages.</summary>
    private const ulong MaxScanPages = 1UL << 16;

    /// <summary>The first count of misses away from both windows before window 1 moves to where they happen.</summary>
    private const int FirstMoveThreshold = 64;

    /// <summary>The largest such count (each move doubles it, so scattered misses cannot make moves frequent).</summary>
    private const int MaxMoveThreshold = 8192;

    private readonly ISimulatedOs _os;
    private readonly SimulatedOs? _sim;

    // Window 0 and window 1: [low, high), limit = byte length - 7 (0 = empty), host = host address of low.
    private ulong _low0;
    private ulong _limit0;
    private nint _host0;
    private ulong _high0;
    private ulong _low1;
    private ulong _limit1;
    private nint _host1;
    private ulong _high1;
    private long _epoch;
    private int _strayMisses;
    private readonly ulong _pageSize;
    private int _moveThreshold = FirstMoveThreshold;

    /// <summary>Initializes a new instance over <paramref name="os"/>; the windows start empty.</summary>
    /// <param name="os">The simulated process.</param>
    public DirectAccessWindow(ISimulatedOs os)
    {
        System.ArgumentNullException.ThrowIfNull(os);
        _os = os;
        _sim = os as SimulatedOs;
        _pageSize = (ulong)os.PageSize;
    }

    /// <summary>Gets the process.</summary>
    public ISimulatedOs Os => _os;

    /// <summary>Tells whether an 8-byte access at <paramref name="address"/> would take the direct path now.</summary>
    /// <param name="address">The simulated address.</param>
    /// <returns>True when a window covers the word and is current.</returns>
    public bool IsDirect(ulong address)
        => _sim is not null && _epoch == _sim.AccessEpoch && (address - _low0 < _limit0 || address - _low1 < _limit1);

    /// <summary>Reads a little-endian word, as <see cref="ISimulatedOs.ReadUInt64"/>.</summary>
    /// <param name="address">The simulated address.</param>
    /// <returns>The word.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadUInt64(ulong address)
    {
        ulong rel = address - _low0;
        if (rel < _limit0 && _epoch == Volatile.Read(ref _sim!.AccessEpochRef))
        {
            return Unsafe.ReadUnaligned<ulong>((byte*)_host0 + rel);
        }

        return ReadUInt64Window1(address);
    }

    /// <summary>Writes a little-endian word, as <see cref="ISimulatedOs.WriteUInt64"/>.</summary>
    /// <param name="address">The simulated address.</param>
    /// <param name="value">The word.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteUInt64(ulong address, ulong value)
    {
        ulong rel = address - _low0;
        if (rel < _limit0 && _epoch == Volatile.Read(ref _sim!.AccessEpochRef))
        {
            Unsafe.WriteUnaligned((byte*)_host0 + rel, value);
            return;
        }

        WriteUInt64Window1(address, value);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private ulong ReadUInt64Window1(ulong address)
    {
        ulong rel = address - _low1;
        if (rel < _limit1 && _epoch == Volatile.Read(ref _sim!.AccessEpochRef))
        {
            return Unsafe.ReadUnaligned<ulong>((byte*)_host1 + rel);
        }

        if (_sim is null)
        {
            return _os.ReadUInt64(address);
        }

        ulong value = _sim.ReadUInt64(address);
        if (WorthRefresh(address))
        {
            Refresh(address);
        }

        return value;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private void WriteUInt64Window1(ulong address, ulong value)
    {
        ulong rel = address - _low1;
        if (rel < _limit1 && _epoch == Volatile.Read(ref _sim!.AccessEpochRef))
        {
            Unsafe.WriteUnaligned((byte*)_host1 + rel, value);
            return;
        }

        if (_sim is null)
        {
            _os.WriteUInt64(address, value);
            return;
        }

        _sim.WriteUInt64(address, value);
        if (WorthRefresh(address))
        {
            Refresh(address);
        }
    }

    /// <summary>
    /// Whether a miss may change a window: when a window is empty or stale, when the address borders one, or every
    /// <see cref="_moveThreshold"/>th miss elsewhere. The test is a few compares, so misses stay cheap.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool WorthRefresh(ulong address)
    {
        ulong reach = _pageSize;
        return _limit0 == 0
            || address - _high0 < reach
            || _low0 - address <= reach
            || (_limit1 != 0 && (address - _high1 < reach || _low1 - address <= reach))
            || ++_strayMisses >= _moveThreshold
            || _epoch != _sim!.AccessEpoch;
    }

    /// <summary>After an ordinary access to <paramref name="address"/> succeeded: revalidates, grows or moves a window.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Refresh(ulong address)
    {
        SimulatedOs sim = _sim!;
        if (_epoch != sim.AccessEpoch)
        {
            Revalidate(sim);
        }

        if (_limit0 == 0)
        {
            if (sim.TryGetDirectRun(address, MaxScanPages, MaxScanPages, out ulong s, out ulong e, out nint h, out long epoch) && epoch == _epoch)
            {
                _low0 = s;
                _high0 = e;
                _host0 = h;
                _limit0 = e - s - 7;
            }

            return;
        }

        if (TryExtend(sim, 0, address, ref _low0, ref _high0, ref _host0, ref _limit0)
            || TryExtend(sim, 1, address, ref _low1, ref _high1, ref _host1, ref _limit1))
        {
            return;
        }

        if (_strayMisses >= _moveThreshold)
        {
            _strayMisses = 0;
            _moveThreshold = System.Math.Min(_moveThreshold * 2, MaxMoveThreshold);
            if (!sim.TryGetDirectRun(address, MaxScanPages, MaxScanPages, out ulong s, out ulong e, out nint h, out long epoch) || epoch != _epoch)
            {
                return;
            }

            if (s <= _high0 && _low0 <= e)
            {
                // The run meets window 0 (pages it never saw become resident, say through a fill): one run, so merge.
                if (h + (nint)(_low0 - s) == _host0)
                {
                    MergeIntoWindow0(s, e, h);
                }
            }
            else if (_limit1 != 0 && s <= _high1 && _low1 <= e && h + (nint)(_low1 - s) != _host1)
            {
                // Overlaps window 1 at a different host address: cannot happen within one epoch; leave both alone.
            }
            else
            {
                _low1 = s;
                _high1 = e;
                _host1 = h;
                _limit1 = e - s - 7;
                if (_limit0 != 0 && _low1 <= _high0 && _low0 <= _high1 && _host1 + (nint)(_low0 - _low1) == _host0)
                {
                    MergeIntoWindow0(_low1, _high1, _host1);
                }
            }
        }
    }

    /// <summary>Makes window 0 the union of itself and the direct run [s, e) at host <paramref name="h"/>, which meets it; empties window 1 if the union covers it.</summary>
    private void MergeIntoWindow0(ulong s, ulong e, nint h)
    {
        if (s < _low0)
        {
            _low0 = s;
            _host0 = h;
        }

        _high0 = System.Math.Max(_high0, e);
        _limit0 = _high0 - _low0 - 7;
        if (_limit1 != 0 && _low1 < _high0 && _low0 < _high1)
        {
            _limit1 = 0;
            _low1 = _high1 = 0;
        }
    }

    /// <summary>Grows a non-empty window over the page of <paramref name="address"/> when that page borders it; true when the address was at an edge.</summary>
    private bool TryExtend(SimulatedOs sim, int self, ulong address, ref ulong low, ref ulong high, ref nint host, ref ulong limit)
    {
        if (limit == 0)
        {
            return false;
        }

        if (address >= low && address < high)
        {
            return true; // the last 7 bytes of the window: an access crossing its end
        }

        ulong pageSize = (ulong)sim.PageSize;
        if (address >= high && address - high < pageSize)
        {
            if (sim.TryGetDirectRun(address, 0, MaxScanPages, out ulong s, out ulong e, out nint h, out long epoch)
                && epoch == _epoch && h == host + (nint)(s - low) && !Overlaps(self, low, e))
            {
                high = e;
                limit = e - low - 7;
            }

            return true;
        }

        if (address < low && low - address <= pageSize)
        {
            if (sim.TryGetDirectRun(address, MaxScanPages, 0, out ulong s, out ulong e, out nint h, out long epoch)
                && epoch == _epoch && h + (nint)(low - s) == host && !Overlaps(self, s, high))
            {
                low = s;
                host = h;
                limit = high - s - 7;
            }

            return true;
        }

        return false;
    }

    /// <summary>Whether [start, end) meets a non-empty window other than the one whose fields are being grown.</summary>
    private bool Overlaps(int self, ulong start, ulong end)
        => self == 0
            ? _limit1 != 0 && start < _high1 && _low1 < end
            : _limit0 != 0 && start < _high0 && _low0 < end;

    /// <summary>After the epoch moved: keeps each window the process reports untouched since, drops the others.</summary>
    private void Revalidate(SimulatedOs sim)
    {
        long since = _epoch;
        long now0 = 0;
        long now1 = 0;
        bool keep0 = _limit0 != 0 && sim.IsUnchangedSince(_low0, _high0, since, out now0);
        bool keep1 = _limit1 != 0 && sim.IsUnchangedSince(_low1, _high1, since, out now1);
        if (keep0 && keep1 && now0 != now1)
        {
            keep1 = false; // checked at different epochs: keep only what one check vouches for
        }

        if (!keep0 && keep1)
        {
            (_low0, _high0, _host0, _limit0) = (_low1, _high1, _host1, _limit1);
            (keep0, now0, keep1) = (true, now1, false);
        }

        if (!keep0)
        {
            _limit0 = 0;
            _low0 = _high0 = 0;
        }

        if (!keep1)
        {
            _limit1 = 0;
            _low1 = _high1 = 0;
        }

        _epoch = keep0 ? now0 : sim.AccessEpoch;
    }
}
