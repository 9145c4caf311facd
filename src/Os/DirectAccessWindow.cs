// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Allocators.Os;

/// <summary>
/// Word access to a simulated process with a shortcut for its two host reservations, the heap and the mmap window: a
/// word of a page that this window has seen resident, readable and writable there is read or written straight through
/// the reservation's host memory. The inlined test is a range test against one run of marked heap pages (the first page
/// marked, grown over the direct pages next to it), then against one run of marked mmap-window pages, else one byte of the
/// heap's per-page map; the mmap window's map (thread arenas, mmapped chunks) is tested out of line
/// (<see cref="ReadMappedUInt64"/>/<see cref="WriteMappedUInt64"/> test the mmap side inline instead). Every
/// other access (the first touch of a page, unmapped or protected pages, own-backed mappings, unaligned words)
/// goes through the process's ordinary <see cref="ISimulatedOs.ReadUInt64"/>/<see cref="ISimulatedOs.WriteUInt64"/>,
/// so faults, RSS and segmentation faults are exactly those of the process; afterwards the page is marked when the
/// process reports it direct.
/// </summary>
/// <remarks>
/// <para>The process keeps the marks exact: under its system-call lock, before any page loses residency, mapping or
/// access rights (munmap, brk shrink, MAP_FIXED, mprotect, madvise, mremap, disposal), it unmarks those pages in every
/// window and shortens or empties the run (see <see cref="SimulatedOs.AccessEpoch"/>); a page is marked only under the
/// same lock. The heap reservation's host memory is never given back while the process lives, so even an access racing
/// with another thread's munmap never reaches released host memory.</para>
/// <para>One owner uses a window at a time (an allocator under its lock). Over an <see cref="ISimulatedOs"/> that is
/// not a <see cref="SimulatedOs"/> every access goes through the interface.</para>
/// </remarks>
public sealed unsafe class DirectAccessWindow
{
    /// <summary>The most pages below the end of the mmap window that its map covers (4 M pages: 16 GiB of 4 KiB pages).</summary>
    private const ulong MaxMmapMapPages = 1UL << 22;

    /// <summary>How far a run may reach from the page that grows it (pages, each way): 256 MiB of 4 KiB pages.</summary>
    private const ulong MaxRunScanPages = 1UL << 16;

    private readonly ISimulatedOs _os;
    private readonly SimulatedOs? _sim;
    private readonly ulong _low;
    private readonly ulong _reservationBytes;
    private readonly nint _host;
    private readonly int _pageShift;

    /// <summary>One byte per heap page from <see cref="_low"/>: 1 when the page is direct.</summary>
    private byte[] _map = [];

    /// <summary>The end of the mmap-window reservation, its size, and the host address of its end.</summary>
    private readonly ulong _mmapEnd;
    private readonly ulong _mmapBytes;
    private readonly nint _mmapHostEnd;

    /// <summary>One byte per page of the mmap window, counted down from its end (placement is top-down): 1 when direct.</summary>
    private byte[] _mmapMap = [];

    /// <summary>The run: marked pages [<see cref="_runStart"/>, <see cref="_runEnd"/>) tested first.</summary>
    private ulong _runStart;
    private ulong _runEnd;

    /// <summary>The run's first address, its host address and its byte length minus 7 (0 = empty): the inlined test.</summary>
    private ulong _runLow;
    private nint _runHost;
    private ulong _runLimit;

    /// <summary>
    /// The mmap run: marked pages of the mmap window [<see cref="_mmapRunLow"/>, <see cref="_mmapRunEnd"/>) (addresses), tested
    /// inline after the heap run; its host address and byte length minus 7 (0 = empty). Like the heap run, its start never moves
    /// when it shrinks.
    /// </summary>
    private ulong _mmapRunLow;
    private ulong _mmapRunEnd;
    private nint _mmapRunHost;
    private ulong _mmapRunLimit;

    /// <summary>Initializes a new instance over <paramref name="os"/>; no page is direct until it has been accessed once.</summary>
    /// <param name="os">The simulated process.</param>
    public DirectAccessWindow(ISimulatedOs os)
    {
        ArgumentNullException.ThrowIfNull(os);
        _os = os;
        _pageShift = System.Numerics.BitOperations.Log2((uint)os.PageSize);
        if (os is SimulatedOs sim && sim.RegisterWindow(this, out var heap, out var mmap))
        {
            _sim = sim;
            (_low, _reservationBytes, _host) = heap;
            _mmapEnd = mmap.Low + mmap.Bytes;
            _mmapBytes = mmap.Bytes;
            _mmapHostEnd = mmap.Host + (nint)mmap.Bytes;
        }
    }

    /// <summary>Gets the process.</summary>
    public ISimulatedOs Os => _os;

    /// <summary>Tells whether an 8-byte access at <paramref name="address"/> would take a direct path now.</summary>
    /// <param name="address">The simulated address.</param>
    /// <returns>True when the word's page is marked.</returns>
    public bool IsDirect(ulong address)
        => address - _runLow < _runLimit || address - _mmapRunLow < _mmapRunLimit || IsMarked(address) || IsMarkedInMmapWindow(address);

    /// <summary>Tells whether an 8-byte access at <paramref name="address"/> lies in one of the two runs (the cheapest path).</summary>
    /// <param name="address">The simulated address.</param>
    /// <returns>True when the word is inside the heap run or the mmap run.</returns>
    public bool IsInRun(ulong address) => address - _runLow < _runLimit || address - _mmapRunLow < _mmapRunLimit;

    /// <summary>Reads a little-endian word, as <see cref="ISimulatedOs.ReadUInt64"/>.</summary>
    /// <param name="address">The simulated address.</param>
    /// <returns>The word.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadUInt64(ulong address)
    {
        ulong rel = address - _runLow;
        if (rel < _runLimit)
        {
            return *(ulong*)(_runHost + (nint)rel);
        }

        rel = address - _mmapRunLow;
        if (rel < _mmapRunLimit)
        {
            return *(ulong*)(_mmapRunHost + (nint)rel);
        }

        if (IsMarked(address))
        {
            return *(ulong*)(_host + (nint)(address - _low));
        }

        return ReadUInt64Slow(address);
    }

    /// <summary>Writes a little-endian word, as <see cref="ISimulatedOs.WriteUInt64"/>.</summary>
    /// <param name="address">The simulated address.</param>
    /// <param name="value">The word.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteUInt64(ulong address, ulong value)
    {
        ulong rel = address - _runLow;
        if (rel < _runLimit)
        {
            *(ulong*)(_runHost + (nint)rel) = value;
            return;
        }

        rel = address - _mmapRunLow;
        if (rel < _mmapRunLimit)
        {
            *(ulong*)(_mmapRunHost + (nint)rel) = value;
            return;
        }

        if (IsMarked(address))
        {
            *(ulong*)(_host + (nint)(address - _low)) = value;
            return;
        }

        WriteUInt64Slow(address, value);
    }

    /// <summary>
    /// Reads a word like <see cref="ReadUInt64"/> with only one inlined test, one byte of the heap's per-page map (no run
    /// tests first): for owners whose words are spread over a heap the runs do not cover (a brk heap whose big chunks leave
    /// untouched pages between touched ones). Everything else (the runs, the mmap window, the process) is one call away.
    /// </summary>
    /// <param name="address">The simulated address.</param>
    /// <returns>The word.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadHeapUInt64(ulong address)
    {
        ulong rel = address - _low;
        ulong index = rel >> _pageShift;
        byte[] map = _map;
        if (index < (ulong)map.Length && (rel & 7) == 0 && Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(map), (nint)index) != 0)
        {
            return *(ulong*)(_host + (nint)rel);
        }

        return ReadUInt64NotInlined(address);
    }

    /// <summary>
    /// The host address of the words [<paramref name="address"/>, <paramref name="address"/> + <paramref name="bytes"/>) when
    /// they lie in one marked page of the heap (the test <see cref="ReadHeapUInt64"/> makes, once for several words of a
    /// chunk); 0 otherwise, and then each word goes through the window. Valid until the owner next calls the process (a
    /// system call can take the page away); reading and writing through it meanwhile is exactly a direct access.
    /// </summary>
    /// <param name="address">The first word's simulated address (8-aligned for a non-zero result).</param>
    /// <param name="bytes">The length of the range, at least 8.</param>
    /// <returns>The host address of <paramref name="address"/>, or 0.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public nint HeapHostOf(ulong address, ulong bytes)
    {
        ulong rel = address - _low;
        ulong index = rel >> _pageShift;
        byte[] map = _map;
        if (index < (ulong)map.Length && (rel & 7) == 0 && ((rel + bytes - 1) >> _pageShift) == index
            && Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(map), (nint)index) != 0)
        {
            return _host + (nint)rel;
        }

        return 0;
    }

    /// <summary>
    /// Fills bytes like <see cref="ISimulatedOs.Fill"/>: straight through host memory when every page of the range is a
    /// marked heap page (resident, readable and writable: nothing can fault), else through the process for the whole
    /// range (first touches, faults and RSS exactly the process's).
    /// </summary>
    /// <param name="address">The first byte's simulated address.</param>
    /// <param name="length">The number of bytes.</param>
    /// <param name="value">The byte to store.</param>
    public void FillHeap(ulong address, ulong length, byte value)
    {
        if (IsDirectHeapRange(address, length))
        {
            new Span<byte>((void*)(_host + (nint)(address - _low)), (int)length).Fill(value);
            return;
        }

        _os.Fill(address, length, value);
    }

    /// <summary>
    /// Copies bytes like <see cref="ISimulatedOs.Copy"/> (overlapping ranges as memmove): straight through host memory
    /// when every page of both ranges is a marked heap page (resident, readable and writable: nothing can fault), else
    /// through the process for the whole copy (first touches, faults and RSS exactly the process's).
    /// </summary>
    /// <param name="destination">The first destination byte's simulated address.</param>
    /// <param name="source">The first source byte's simulated address.</param>
    /// <param name="length">The number of bytes.</param>
    public void CopyHeap(ulong destination, ulong source, ulong length)
    {
        if (IsDirectHeapRange(destination, length) && IsDirectHeapRange(source, length))
        {
            Buffer.MemoryCopy((void*)(_host + (nint)(source - _low)), (void*)(_host + (nint)(destination - _low)), length, length);
            return;
        }

        _os.Copy(destination, source, length);
    }

    /// <summary>Whether [<paramref name="address"/>, +<paramref name="length"/>) is non-empty, below 2 GiB and every page of it a marked heap page.</summary>
    private bool IsDirectHeapRange(ulong address, ulong length)
    {
        ulong rel = address - _low;
        if (length == 0 || length > int.MaxValue || rel >= _reservationBytes || _reservationBytes - rel < length)
        {
            return false;
        }

        ulong first = rel >> _pageShift;
        ulong last = (rel + length - 1) >> _pageShift;
        byte[] map = _map;
        if (last >= (ulong)map.Length)
        {
            return false;
        }

        for (ulong page = first; page <= last; page++)
        {
            if (map[page] == 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Writes a word like <see cref="WriteUInt64"/> with only the heap map's test inlined (see <see cref="ReadHeapUInt64"/>).</summary>
    /// <param name="address">The simulated address.</param>
    /// <param name="value">The word.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteHeapUInt64(ulong address, ulong value)
    {
        ulong rel = address - _low;
        ulong index = rel >> _pageShift;
        byte[] map = _map;
        if (index < (ulong)map.Length && (rel & 7) == 0 && Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(map), (nint)index) != 0)
        {
            *(ulong*)(_host + (nint)rel) = value;
            return;
        }

        WriteUInt64NotInlined(address, value);
    }

    /// <summary>
    /// Reads a word like <see cref="ReadUInt64"/>, with the inlined test over the mmap window instead of the heap: the mmap run,
    /// then one byte of the mmap window's per-page map (so marked pages outside the run, next to untouched ones, stay one
    /// inlined test away). For owners whose words live in anonymous mappings (the buddy strategy's regions); heap words take
    /// one more call.
    /// </summary>
    /// <param name="address">The simulated address.</param>
    /// <returns>The word.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadMappedUInt64(ulong address)
    {
        ulong rel = address - _mmapRunLow;
        if (rel < _mmapRunLimit)
        {
            return *(ulong*)(_mmapRunHost + (nint)rel);
        }

        if (IsMarkedInMmapWindow(address))
        {
            return *(ulong*)(_mmapHostEnd - (nint)(_mmapEnd - address));
        }

        return ReadUInt64NotInlined(address);
    }

    /// <summary>Writes a word like <see cref="WriteUInt64"/>, with the inlined test over the mmap window (see <see cref="ReadMappedUInt64"/>).</summary>
    /// <param name="address">The simulated address.</param>
    /// <param name="value">The word.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteMappedUInt64(ulong address, ulong value)
    {
        ulong rel = address - _mmapRunLow;
        if (rel < _mmapRunLimit)
        {
            *(ulong*)(_mmapRunHost + (nint)rel) = value;
            return;
        }

        if (IsMarkedInMmapWindow(address))
        {
            *(ulong*)(_mmapHostEnd - (nint)(_mmapEnd - address)) = value;
            return;
        }

        WriteUInt64NotInlined(address, value);
    }

    /// <summary>Unmarks the pages of [start, end) and keeps only the part of the run below them. Called by the process under its lock.</summary>
    /// <param name="start">The first address of the loss.</param>
    /// <param name="end">The address just past it.</param>
    internal void UnmarkLocked(ulong start, ulong end)
    {
        if (_mmapMap.Length != 0)
        {
            // Pages of the mmap window, counted down from its end: [end, start) becomes down indexes [mmapEnd - end, mmapEnd - start).
            ulong covered = _mmapEnd - ((ulong)_mmapMap.Length << _pageShift);
            ulong lo = Math.Max(start, covered);
            ulong hi = Math.Min(end, _mmapEnd);
            if (lo < hi)
            {
                ulong firstDown = (_mmapEnd - hi) >> _pageShift;
                ulong lastDown = (_mmapEnd - lo - 1) >> _pageShift;
                Array.Clear(_mmapMap, (int)firstDown, (int)(lastDown - firstDown + 1));
            }

            if (start < _mmapRunEnd && _mmapRunLow < end)
            {
                // Keep only the part below the loss, in place (see the heap run below).
                ulong lossPage = start & ~(((ulong)1 << _pageShift) - 1);
                if (lossPage <= _mmapRunLow)
                {
                    _mmapRunLimit = 0;
                    _mmapRunEnd = _mmapRunLow;
                }
                else
                {
                    _mmapRunLimit = lossPage - _mmapRunLow - 7;
                    _mmapRunEnd = lossPage;
                }
            }
        }

        ulong mapEnd = _low + ((ulong)_map.Length << _pageShift);
        ulong from = Math.Max(start, _low);
        ulong to = Math.Min(end, mapEnd);
        if (from >= to)
        {
            return;
        }

        ulong first = (from - _low) >> _pageShift;
        ulong last = (to - 1 - _low) >> _pageShift;
        Array.Clear(_map, (int)first, (int)(last - first + 1));
        if (first < _runEnd && _runStart <= last)
        {
            // Only ever shorten the run in place (its start and host stay): an access racing with this sees either
            // the old limit or the shorter one, both inside the heap reservation.
            if (first <= _runStart)
            {
                _runLimit = 0;
                _runEnd = _runStart;
            }
            else
            {
                _runLimit = ((first - _runStart) << _pageShift) - 7;
                _runEnd = first;
            }
        }
    }

    /// <summary>Marks the page of <paramref name="address"/> and grows the run over it. Called under the process's lock.</summary>
    /// <param name="address">An address of a direct heap page.</param>
    internal void MarkLocked(ulong address)
    {
        if (address - _low >= _reservationBytes)
        {
            ulong down = (_mmapEnd - address - 1) >> _pageShift;
            if (down < MaxMmapMapPages)
            {
                if (down >= (ulong)_mmapMap.Length)
                {
                    Array.Resize(ref _mmapMap, (int)Math.Min(MaxMmapMapPages, Math.Max(64, Math.Max(down + 1, (ulong)_mmapMap.Length * 2))));
                }

                _mmapMap[down] = 1;
                GrowMmapRunLocked(address & ~(((ulong)1 << _pageShift) - 1));
            }

            return;
        }

        ulong index = (address - _low) >> _pageShift;
        EnsureMapCovers(index);
        if (index >= (ulong)_map.Length)
        {
            return;
        }

        _map[index] = 1;
        if (_runEnd == _runStart)
        {
            ReconsiderLocked(index);
        }
        else if (index == _runEnd)
        {
            SetRun(_runStart, MarkedRunAround(index, down: false).End);
        }
        else if (index + 1 == _runStart)
        {
            SetRun(MarkedRunAround(index, up: false).Start, _runEnd);
        }
    }

    /// <summary>Whether the address is 8-aligned (so the word stays in its page) and its heap page is marked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsMarked(ulong address)
    {
        ulong rel = address - _low;
        ulong index = rel >> _pageShift;
        byte[] map = _map;
        return index < (ulong)map.Length && (rel & 7) == 0 && Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(map), (nint)index) != 0;
    }

    /// <summary>Whether the address is 8-aligned and its page of the mmap window is marked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsMarkedInMmapWindow(ulong address)
    {
        ulong down = _mmapEnd - address - 1;
        ulong index = down >> _pageShift;
        byte[] map = _mmapMap;
        return index < (ulong)map.Length && (address & 7) == 0 && Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(map), (nint)index) != 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong ReadUInt64NotInlined(ulong address) => ReadUInt64(address);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void WriteUInt64NotInlined(ulong address, ulong value) => WriteUInt64(address, value);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong ReadUInt64Slow(ulong address)
    {
        if (IsMarkedInMmapWindow(address))
        {
            return *(ulong*)(_mmapHostEnd - (nint)(_mmapEnd - address));
        }

        if (_sim is null)
        {
            return _os.ReadUInt64(address);
        }

        ulong value = _sim.ReadUInt64(address);
        if (address - _low < _reservationBytes || _mmapEnd - address - 1 < _mmapBytes)
        {
            _sim.MarkIfDirect(this, address);
        }

        return value;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void WriteUInt64Slow(ulong address, ulong value)
    {
        if (IsMarkedInMmapWindow(address))
        {
            *(ulong*)(_mmapHostEnd - (nint)(_mmapEnd - address)) = value;
            return;
        }

        if (_sim is null)
        {
            _os.WriteUInt64(address, value);
            return;
        }

        _sim.WriteUInt64(address, value);
        if (address - _low < _reservationBytes || _mmapEnd - address - 1 < _mmapBytes)
        {
            _sim.MarkIfDirect(this, address);
        }
    }

    /// <summary>Makes the marked run around page <paramref name="index"/> the run when it is at least as long. Under the lock.</summary>
    private void ReconsiderLocked(ulong index)
    {
        if (index >= (ulong)_map.Length || _map[index] == 0)
        {
            return;
        }

        (ulong start, ulong end) = MarkedRunAround(index);
        if (end - start >= _runEnd - _runStart)
        {
            SetRun(start, end);
        }
    }

    /// <summary>
    /// The run of direct pages around the marked page <paramref name="index"/>: marked pages, and pages the process
    /// reports direct (resident through a fill or a copy, say), which are marked on the way; only upwards or only
    /// downwards when the caller already knows the other side. Under the lock.
    /// </summary>
    private (ulong Start, ulong End) MarkedRunAround(ulong index, bool down = true, bool up = true)
    {
        SimulatedOs sim = _sim!;
        ulong start = index;
        while (down && start > 0 && index - start < MaxRunScanPages && IsMarkedOrDirect(sim, start - 1))
        {
            start--;
        }

        ulong end = index + 1;
        while (up && end - index < MaxRunScanPages && IsMarkedOrDirect(sim, end))
        {
            end++;
        }

        return (start, end);
    }

    /// <summary>Whether page <paramref name="index"/> is marked, marking it when the process reports it direct. Under the lock.</summary>
    private bool IsMarkedOrDirect(SimulatedOs sim, ulong index)
    {
        if (index < (ulong)_map.Length && _map[index] != 0)
        {
            return true;
        }

        ulong address = _low + (index << _pageShift);
        if ((index << _pageShift) >= _reservationBytes || !sim.IsDirectPageLocked(address))
        {
            return false;
        }

        EnsureMapCovers(index);
        if (index >= (ulong)_map.Length)
        {
            return false;
        }

        _map[index] = 1;
        return true;
    }

    /// <summary>
    /// Makes the run of marked mmap-window pages around the just-marked page at <paramref name="page"/> the mmap run when the
    /// run is empty, or grows the run when the page is next to it. Under the lock.
    /// </summary>
    private void GrowMmapRunLocked(ulong page)
    {
        ulong pageSize = (ulong)1 << _pageShift;
        if (_mmapRunEnd == _mmapRunLow)
        {
            SetMmapRun(MmapMarkedEdge(page, -1), MmapMarkedEdge(page, 1) + pageSize);
        }
        else if (page == _mmapRunEnd)
        {
            SetMmapRun(_mmapRunLow, MmapMarkedEdge(page, 1) + pageSize);
        }
        else if (page + pageSize == _mmapRunLow)
        {
            SetMmapRun(MmapMarkedEdge(page, -1), _mmapRunEnd);
        }
    }

    /// <summary>
    /// The last page, going down (<paramref name="step"/> −1) or up (+1) from the marked page <paramref name="page"/>, of the run of
    /// direct mmap-window pages (marked, or reported direct by the process and marked on the way). Under the lock.
    /// </summary>
    private ulong MmapMarkedEdge(ulong page, int step)
    {
        ulong pageSize = (ulong)1 << _pageShift;
        ulong edge = page;
        for (ulong scanned = 0; scanned < MaxRunScanPages; scanned++)
        {
            ulong next = step < 0 ? edge - pageSize : edge + pageSize;
            if (next >= _mmapEnd || _mmapEnd - next > _mmapBytes || !IsMmapMarkedOrDirect(next))
            {
                break;
            }

            edge = next;
        }

        return edge;
    }

    /// <summary>Whether the mmap-window page at <paramref name="page"/> is marked, marking it when the process reports it direct. Under the lock.</summary>
    private bool IsMmapMarkedOrDirect(ulong page)
    {
        ulong down = (_mmapEnd - page - 1) >> _pageShift;
        if (down >= MaxMmapMapPages)
        {
            return false;
        }

        if (down < (ulong)_mmapMap.Length && _mmapMap[down] != 0)
        {
            return true;
        }

        if (!_sim!.IsDirectPageLocked(page))
        {
            return false;
        }

        if (down >= (ulong)_mmapMap.Length)
        {
            Array.Resize(ref _mmapMap, (int)Math.Min(MaxMmapMapPages, Math.Max(64, Math.Max(down + 1, (ulong)_mmapMap.Length * 2))));
        }

        _mmapMap[down] = 1;
        return true;
    }

    /// <summary>Replaces the mmap run with the pages [<paramref name="low"/>, <paramref name="end"/>) (under the lock; the owner is the only reader).</summary>
    private void SetMmapRun(ulong low, ulong end)
    {
        _mmapRunLimit = 0;
        _mmapRunLow = low;
        _mmapRunEnd = end;
        _mmapRunHost = _mmapHostEnd - (nint)(_mmapEnd - low);
        _mmapRunLimit = end > low ? end - low - 7 : 0;
    }

    /// <summary>Grows the map by doubling to cover page <paramref name="index"/> (O(log n) growths for a heap of n pages).</summary>
    private void EnsureMapCovers(ulong index)
    {
        if (index >= (ulong)_map.Length)
        {
            ulong size = Math.Max(64, Math.Max(index + 1, (ulong)_map.Length * 2));
            Array.Resize(ref _map, (int)Math.Min(size, (ulong)Array.MaxLength));
        }
    }

    /// <summary>Replaces the run (under the lock; the owner is the only reader, on this same thread).</summary>
    private void SetRun(ulong start, ulong end)
    {
        _runLimit = 0;
        _runStart = start;
        _runEnd = end;
        _runLow = _low + (start << _pageShift);
        _runHost = _host + (nint)(start << _pageShift);
        _runLimit = end > start ? ((end - start) << _pageShift) - 7 : 0;
    }
}
