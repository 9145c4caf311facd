// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Generic;
using System.Globalization;

namespace Allocators.Strategies.Glibc;

/// <summary>The heap checker (invariants G1..G9 of the main file) and the heap walker.</summary>
public sealed partial class GlibcAllocator
{
    /// <inheritdoc/>
    public HeapCheckResult CheckHeap(HeapCheckLevel level)
    {
        using (EnterLock())
        {
            return CheckHeapInternal(level);
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<HeapBlock> WalkHeap()
    {
        using (EnterLock())
        {
            try
            {
                return WalkHeapInternal();
            }
            catch (SegmentationFaultException e)
            {
                throw new HeapCorruptionException(StrategyName, "WalkHeap", e.Address, "SIGSEGV", e.Message);
            }
        }
    }

    private void RunFullCheckAfterCall()
    {
        HeapCheckResult r = CheckHeapInternal(HeapCheckLevel.Full);
        if (!r.Succeeded)
        {
            HeapCheckFailure f = r.Failures[0];
            throw new HeapCorruptionException(StrategyName, OpName, f.Address, f.Id, f.Message);
        }
    }

    /// <summary>Where each cached or binned chunk is, by chunk address (tcache, fastbin, bin), gathered with list checks.</summary>
    private Dictionary<ulong, string> CollectMembership(List<HeapCheckFailure>? failures)
    {
        var where = new Dictionary<ulong, string>();
        var tcaches = new List<ulong>();
        foreach ((ulong tc, Arena? _) in _threads.Values)
        {
            tcaches.Add(tc);
        }

        if (_tcache != 0 && !tcaches.Contains(_tcache))
        {
            tcaches.Add(_tcache);
        }

        foreach (ulong t in tcaches)
        {
            if (t == 0)
            {
                continue;
            }

            ulong saved = _tcache;
            _tcache = t;
            try
            {
                for (ulong i = 0; i < _tcacheBins; i++)
                {
                    ulong n = 0;
                    ulong limit = TcacheCountAt(i) + 1;
                    for (ulong e = TcacheEntryAt(i); e != 0 && n <= limit; e = ChunkHeader.Protect(e, ChunkHeader.Load(_mem, e)))
                    {
                        n++;
                        if (!ChunkHeader.Aligned(e) || !_os.IsAccessible(e - 16, 32, Protection.Read))
                        {
                            failures?.Add(new HeapCheckFailure("G5", e, string.Create(CultureInfo.InvariantCulture, $"tcache bin {i} holds an unaligned or unmapped entry")));
                            break;
                        }

                        ulong s = ChunkHeader.Size(_mem, e - 16);
                        if (ChunkHeader.TcacheIndex(s) != i)
                        {
                            failures?.Add(new HeapCheckFailure("G2", e - 16, string.Create(CultureInfo.InvariantCulture, $"chunk of size 0x{s:x} in tcache bin {i}")));
                        }

                        where[e - 16] = string.Create(CultureInfo.InvariantCulture, $"tcache 0x{(i * 16) + 32:x}");
                    }

                    if (n != TcacheCountAt(i))
                    {
                        failures?.Add(new HeapCheckFailure("G8", t, string.Create(CultureInfo.InvariantCulture, $"tcache bin {i} count {TcacheCountAt(i)} but list length {n}")));
                    }
                }
            }
            finally
            {
                _tcache = saved;
            }
        }

        Arena savedArena = _av;
        try
        {
            foreach (Arena arena in _arenas)
            {
                _av = arena;
                for (int fi = 0; fi < NFastBins; fi++)
                {
                    int n = 0;
                    for (ulong p = _av.Fastbins[fi]; p != 0; p = ChunkHeader.Protect(p + 16, ChunkHeader.Fd(_mem, p)))
                    {
                        if (!ChunkHeader.Aligned(p) || !_os.IsAccessible(p, 32, Protection.Read) || ++n > 10_000_000)
                        {
                            failures?.Add(new HeapCheckFailure("G5", p, string.Create(CultureInfo.InvariantCulture, $"fastbin {fi} holds an unaligned or unmapped chunk, or loops")));
                            break;
                        }

                        if (ChunkHeader.FastbinIndex(ChunkHeader.Size(_mem, p)) != fi)
                        {
                            failures?.Add(new HeapCheckFailure("G2", p, string.Create(CultureInfo.InvariantCulture, $"chunk of size 0x{ChunkHeader.Size(_mem, p):x} in fastbin {fi}")));
                        }

                        where[p] = string.Create(CultureInfo.InvariantCulture, $"fastbin 0x{(fi * 16) + 32:x}");
                    }
                }

                for (int i = 1; i < NBins; i++)
                {
                    ulong bin = BinAt(i);
                    ulong prev = bin;
                    int n = 0;
                    for (ulong p = _av.BinFd[i]; p != bin; p = ChunkHeader.Fd(_mem, p))
                    {
                        if (!ChunkHeader.Aligned(p) || !_os.IsAccessible(p, 48, Protection.Read) || ++n > 10_000_000)
                        {
                            failures?.Add(new HeapCheckFailure("G5", p, string.Create(CultureInfo.InvariantCulture, $"bin {i} holds an unaligned or unmapped chunk, or loops")));
                            break;
                        }

                        if (ChunkHeader.Bk(_mem, p) != prev)
                        {
                            failures?.Add(new HeapCheckFailure("G5", p, string.Create(CultureInfo.InvariantCulture, $"bin {i}: bk of 0x{p:x} is 0x{ChunkHeader.Bk(_mem, p):x}, expected 0x{prev:x}")));
                        }

                        ulong s = ChunkHeader.Size(_mem, p);
                        if (i >= 2 && ChunkHeader.BinIndex(s) != i)
                        {
                            failures?.Add(new HeapCheckFailure("G2", p, string.Create(CultureInfo.InvariantCulture, $"chunk of size 0x{s:x} in bin {i}")));
                        }

                        where[p] = i == 1 ? "unsorted" : i < 64 ? string.Create(CultureInfo.InvariantCulture, $"smallbin {i}") : string.Create(CultureInfo.InvariantCulture, $"largebin {i}");
                        prev = p;
                    }

                    if (n > 0 && _av.BinBk[i] != prev)
                    {
                        failures?.Add(new HeapCheckFailure("G5", bin, string.Create(CultureInfo.InvariantCulture, $"bin {i}: back link is 0x{_av.BinBk[i]:x}, last element 0x{prev:x}")));
                    }
                }
            }
        }
        finally
        {
            _av = savedArena;
        }

        return where;
    }

    /// <summary>The heap segments of an arena: (first chunk, end) pairs. Main: from each brk segment start; thread arenas: each heap.</summary>
    private List<(ulong Start, ulong End)> Segments(Arena a)
    {
        var list = new List<(ulong Start, ulong End)>();
        if (a.IsMain)
        {
            var starts = new List<ulong>(_segmentStarts);
            starts.Sort();
            foreach (ulong st in starts)
            {
                list.Add((st, ulong.MaxValue));
            }
        }
        else
        {
            for (int i = 0; i < a.Heaps.Count; i++)
            {
                ulong h = a.Heaps[i];
                ulong first = i == 0 ? FirstChunkOfArenaHeap(a) : h + HeapInfoSize;
                list.Add((first, h + ChunkHeader.Load(_mem, h + HiSize)));
            }
        }

        return list;
    }

    private static ulong FirstChunkOfArenaHeap(Arena a)
    {
        ulong ptr = a.StateAddress + MallocStateSize;
        ulong misalign = (ptr + 16) & ChunkHeader.AlignMask;
        return misalign > 0 ? ptr + 16 - misalign : ptr;
    }

    private HeapCheckResult CheckHeapInternal(HeapCheckLevel level)
    {
        var failures = new List<HeapCheckFailure>();
        if (level == HeapCheckLevel.None)
        {
            return HeapCheckResult.From(failures);
        }

        Arena savedArena = _av;
        try
        {
            Dictionary<ulong, string>? where = null;
            if (level == HeapCheckLevel.Full)
            {
                try
                {
                    where = CollectMembership(failures);
                }
                catch (SegmentationFaultException e)
                {
                    failures.Add(new HeapCheckFailure("G5", e.Address, $"following the free lists faulted: {e.Message}"));
                    return HeapCheckResult.From(failures);
                }
            }

            var seen = new HashSet<ulong>();
            foreach (Arena a in _arenas)
            {
                _av = a;
                if (IsBinHead(a.Top))
                {
                    continue;
                }

                try
                {
                    CheckArena(a, level, where, seen, failures);
                }
                catch (SegmentationFaultException e)
                {
                    failures.Add(new HeapCheckFailure("G7", e.Address, $"walking arena {a.Index} faulted: {e.Message}"));
                }
            }

            if (where is not null)
            {
                foreach (KeyValuePair<ulong, string> kv in where)
                {
                    if (!seen.Contains(kv.Key))
                    {
                        failures.Add(new HeapCheckFailure("G2", kv.Key, $"chunk listed in {kv.Value} is not a chunk of the heap walk"));
                    }
                }
            }
        }
        finally
        {
            _av = savedArena;
        }

        return HeapCheckResult.From(failures);
    }

    private void CheckArena(Arena a, HeapCheckLevel level, Dictionary<ulong, string>? where, HashSet<ulong> seen, List<HeapCheckFailure> failures)
    {
        ulong topSize = TopChunkSize();
        if ((ChunkHeader.Raw(_mem, a.Top) & ChunkHeader.PrevInUse) == 0)
        {
            failures.Add(new HeapCheckFailure("G6", a.Top, "top chunk's P bit is clear"));
        }

        if (a.IsMain && a.Contiguous && _curbrkKnown && a.Top + topSize != _curbrk)
        {
            failures.Add(new HeapCheckFailure("G6", a.Top, string.Create(CultureInfo.InvariantCulture, $"top ends at 0x{a.Top + topSize:x} but the break is 0x{_curbrk:x}")));
        }

        if (!a.IsMain)
        {
            ulong heap = a.Top & ~(HeapMaxSize - 1);
            if (a.Top + topSize != heap + ChunkHeader.Load(_mem, heap + HiSize))
            {
                failures.Add(new HeapCheckFailure("G6", a.Top, "thread-arena top does not end at its heap's end"));
            }
        }

        if (level != HeapCheckLevel.Full || where is null)
        {
            return;
        }

        ulong span = 0;
        List<(ulong Start, ulong End)> segments = Segments(a);
        foreach ((ulong start, ulong end) in segments)
        {
            ulong c = start;
            bool prevBinned = false;
            bool first = true;
            while (true)
            {
                if (c >= end || !_os.IsAccessible(c, 16, Protection.Read))
                {
                    failures.Add(new HeapCheckFailure("G7", c, "heap walk left its heap without meeting top or a fencepost"));
                    break;
                }

                ulong raw = ChunkHeader.Raw(_mem, c);
                ulong size = raw & ~ChunkHeader.SizeBits;
                bool pbit = (raw & ChunkHeader.PrevInUse) != 0;
                if (!first && pbit == prevBinned)
                {
                    failures.Add(new HeapCheckFailure("G4", c, string.Create(CultureInfo.InvariantCulture, $"P bit is {(pbit ? 1 : 0)} but the previous chunk is {(prevBinned ? "free" : "in use")}")));
                }

                if (c == a.Top)
                {
                    span += c + size - start;
                    break;
                }

                if (size <= ChunkHeader.HeaderSize)
                {
                    // a fencepost closes this segment
                    span += (end == ulong.MaxValue ? c + (2 * ChunkHeader.HeaderSize) : end) - start;
                    break;
                }

                ulong expectedA = a.IsMain ? 0 : ChunkHeader.NonMainArena;
                if (size < ChunkHeader.MinSize || !ChunkHeader.Aligned(size) || (raw & ChunkHeader.IsMmapped) != 0 || (a.IsMain && (raw & ChunkHeader.NonMainArena) != 0))
                {
                    failures.Add(new HeapCheckFailure("G9", c, string.Create(CultureInfo.InvariantCulture, $"bad size word 0x{raw:x} (expected A bit {expectedA:x} at most)")));
                    break;
                }

                bool binned = where.TryGetValue(c, out string? w) && !w.StartsWith("tcache", System.StringComparison.Ordinal) && !w.StartsWith("fastbin", System.StringComparison.Ordinal);
                if (binned)
                {
                    seen.Add(c);
                    if (prevBinned)
                    {
                        failures.Add(new HeapCheckFailure("G1", c, "two adjacent free chunks are both binned"));
                    }

                    if (ChunkHeader.Prev(_mem, c + size) != size)
                    {
                        failures.Add(new HeapCheckFailure("G3", c, string.Create(CultureInfo.InvariantCulture, $"foot 0x{ChunkHeader.Prev(_mem, c + size):x} differs from size 0x{size:x}")));
                    }
                }
                else if (where.ContainsKey(c))
                {
                    seen.Add(c);
                }

                prevBinned = binned;
                first = false;
                c += size;
            }
        }

        if (a.IsMain && a.Contiguous && segments.Count == 1 && span != a.SystemMem)
        {
            failures.Add(new HeapCheckFailure("G7", _sbrkBase, string.Create(CultureInfo.InvariantCulture, $"heap span 0x{span:x} differs from system_mem 0x{a.SystemMem:x}")));
        }

        if (!a.IsMain)
        {
            ulong total = 0;
            foreach (ulong h in a.Heaps)
            {
                total += ChunkHeader.Load(_mem, h + HiSize);
            }

            if (total != a.SystemMem)
            {
                failures.Add(new HeapCheckFailure("G7", a.StateAddress, string.Create(CultureInfo.InvariantCulture, $"heap sizes sum to 0x{total:x} but system_mem is 0x{a.SystemMem:x}")));
            }
        }
    }

    private List<HeapBlock> WalkHeapInternal()
    {
        var blocks = new List<HeapBlock>();
        Dictionary<ulong, string> where = CollectMembership(null);
        var tcacheStructs = new HashSet<ulong>();
        foreach ((ulong t, Arena? _) in _threads.Values)
        {
            if (t != 0)
            {
                tcacheStructs.Add(t - 16);
            }
        }

        if (_tcache != 0)
        {
            tcacheStructs.Add(_tcache - 16);
        }

        foreach (Arena a in _arenas)
        {
            if (IsBinHead(a.Top))
            {
                continue;
            }

            if (!a.IsMain)
            {
                foreach (ulong h in a.Heaps)
                {
                    ulong meta = h == a.Heaps[0] ? FirstChunkOfArenaHeap(a) - h : HeapInfoSize;
                    blocks.Add(new HeapBlock(h, meta, HeapBlockKind.Metadata, h == a.Heaps[0] ? "heap_info+malloc_state" : "heap_info"));
                }
            }

            foreach ((ulong start, ulong end) in Segments(a))
            {
                ulong c = start;
                while (c < end && _os.IsAccessible(c, 16, Protection.Read))
                {
                    ulong raw = ChunkHeader.Raw(_mem, c);
                    ulong size = raw & ~ChunkHeader.SizeBits;
                    if (c == a.Top)
                    {
                        blocks.Add(new HeapBlock(c, size, HeapBlockKind.Top, "top"));
                        break;
                    }

                    if (size <= ChunkHeader.HeaderSize)
                    {
                        blocks.Add(new HeapBlock(c, 2 * ChunkHeader.HeaderSize, HeapBlockKind.Metadata, "fenceposts"));
                        break;
                    }

                    if (size < ChunkHeader.MinSize || !ChunkHeader.Aligned(size))
                    {
                        break;
                    }

                    if (tcacheStructs.Contains(c))
                    {
                        blocks.Add(new HeapBlock(c, size, HeapBlockKind.Metadata, "tcache_perthread_struct"));
                    }
                    else if (where.TryGetValue(c, out string? w))
                    {
                        bool cached = w.StartsWith("tcache", System.StringComparison.Ordinal) || w.StartsWith("fastbin", System.StringComparison.Ordinal);
                        blocks.Add(new HeapBlock(c, size, cached ? HeapBlockKind.Cached : HeapBlockKind.Free, w));
                    }
                    else
                    {
                        blocks.Add(new HeapBlock(c, size, HeapBlockKind.InUse, string.Empty));
                    }

                    c += size;
                }
            }
        }

        var mm = new List<ulong>(_mmappedChunks);
        foreach (ulong c in mm)
        {
            if (_os.IsAccessible(c, 16, Protection.Read))
            {
                blocks.Add(new HeapBlock(c, ChunkHeader.Size(_mem, c), HeapBlockKind.Mmapped, "mmap"));
            }
        }

        blocks.Sort((x, y) => x.Address.CompareTo(y.Address));
        return blocks;
    }
}
