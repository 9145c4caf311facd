// Copyright (c) Allocators contributors. MIT License.

using System.Globalization;
using System.Text;

namespace Allocators.Strategies.Glibc;

/// <summary>mallinfo2, malloc_stats, malloc_info and <see cref="IAllocator.GetStatistics"/> (spec §17).</summary>
public sealed partial class GlibcAllocator
{
    /// <summary>mallinfo2(): the arena counters, summed over arenas (only the main arena is modelled).</summary>
    /// <returns>The counters.</returns>
    public MallInfo2 Mallinfo2()
    {
        using (EnterLock())
        {
            Enter(OpMallinfo2);
            if (!_initialized)
            {
                PtmallocInit();
            }

            return IntMallinfo("int_mallinfo(): unaligned fastbin chunk detected");
        }
    }

    /// <summary>malloc_stats(): the text glibc writes to stderr.</summary>
    /// <returns>The text, lines ending with <c>\n</c>.</returns>
    public string MallocStats()
    {
        using (EnterLock())
        {
            Enter(OpMallocStats);
            if (!_initialized)
            {
                PtmallocInit();
            }

            var sb = new StringBuilder(256);
            uint systemB = (uint)_mmappedMem;
            uint inUseB = (uint)_mmappedMem;
            Arena saved = _av;
            try
            {
                int i = 0;
                for (Arena? a = _main; a is not null; a = a.Next, i++)
                {
                    _av = a;
                    MallInfo2 mi = IntMallinfoArena("int_mallinfo(): unaligned fastbin chunk detected");
                    sb.Append(CultureInfo.InvariantCulture, $"Arena {i}:\n");
                    sb.Append(CultureInfo.InvariantCulture, $"system bytes     = {(uint)mi.Arena,10}\n");
                    sb.Append(CultureInfo.InvariantCulture, $"in use bytes     = {(uint)mi.Uordblks,10}\n");
                    systemB += (uint)mi.Arena;
                    inUseB += (uint)mi.Uordblks;
                }
            }
            finally
            {
                _av = saved;
            }

            sb.Append("Total (incl. mmap):\n");
            sb.Append(CultureInfo.InvariantCulture, $"system bytes     = {systemB,10}\n");
            sb.Append(CultureInfo.InvariantCulture, $"in use bytes     = {inUseB,10}\n");
            sb.Append(CultureInfo.InvariantCulture, $"max mmap regions = {(uint)_maxNMmaps,10}\n");
            sb.Append(CultureInfo.InvariantCulture, $"max mmap bytes   = {_maxMmappedMem,10}\n");
            return sb.ToString();
        }
    }

    /// <summary>malloc_info(0, fp): the XML glibc writes.</summary>
    /// <returns>The XML text.</returns>
    public string MallocInfo()
    {
        using (EnterLock())
        {
            Enter(OpMallocInfo);
            if (!_initialized)
            {
                PtmallocInit();
            }

            var sb = new StringBuilder(1024);
            sb.Append("<malloc version=\"1\">\n");
            ulong tNfast = 0, tFast = 0, tN = 0, tAvail = 0, tSys = 0, tMax = 0, tAspace = 0, tMprotect = 0;
            Arena saved = _av;
            try
            {
                int nr = 0;
                for (Arena? a = _main; a is not null; a = a.Next, nr++)
                {
                    _av = a;
                    AppendHeapInfo(sb, nr, ref tNfast, ref tFast, ref tN, ref tAvail, ref tSys, ref tMax, ref tAspace, ref tMprotect);
                }
            }
            finally
            {
                _av = saved;
            }

            sb.Append(CultureInfo.InvariantCulture, $"<total type=\"fast\" count=\"{tNfast}\" size=\"{tFast}\"/>\n<total type=\"rest\" count=\"{tN}\" size=\"{tAvail}\"/>\n<total type=\"mmap\" count=\"{_nMmaps}\" size=\"{_mmappedMem}\"/>\n");
            sb.Append(CultureInfo.InvariantCulture, $"<system type=\"current\" size=\"{tSys}\"/>\n<system type=\"max\" size=\"{tMax}\"/>\n<aspace type=\"total\" size=\"{tAspace}\"/>\n<aspace type=\"mprotect\" size=\"{tMprotect}\"/>\n</malloc>\n");
            return sb.ToString();
        }
    }

    private void AppendHeapInfo(StringBuilder sb, int nr, ref ulong tNfast, ref ulong tFast, ref ulong tN, ref ulong tAvail, ref ulong tSys, ref ulong tMax, ref ulong tAspace, ref ulong tMprotect)
    {
        ulong nfast = 0;
        ulong fastavail = 0;
        ulong nblocks = 1;
        ulong avail = TopChunkSize();
        var from = new ulong[NFastBins + NBins];
        var to = new ulong[NFastBins + NBins];
        var total = new ulong[NFastBins + NBins];
        var count = new ulong[NFastBins + NBins];
        for (int i = 0; i < NFastBins; i++)
        {
            ulong p = _av.Fastbins[i];
            if (p == 0)
            {
                continue;
            }

            ulong thisSize = ChunkHeader.Size(_mem, p);
            ulong n = 0;
            while (p != 0)
            {
                if (!ChunkHeader.Aligned(p))
                {
                    Corrupt("__malloc_info(): unaligned fastbin chunk detected", p);
                }

                n++;
                p = ChunkHeader.Protect(p + 16, ChunkHeader.Fd(_mem, p));
            }

            from[i] = thisSize - ChunkHeader.AlignMask;
            to[i] = thisSize;
            total[i] = n * thisSize;
            count[i] = n;
            nfast += n;
            fastavail += n * thisSize;
        }

        for (int i = 1; i < NBins; i++)
        {
            int k = NFastBins - 1 + i;
            ulong bin = BinAt(i);
            ulong lo = ulong.MaxValue;
            for (ulong r = _av.BinFd[i]; r != bin; r = ChunkHeader.Fd(_mem, r))
            {
                ulong rs = ChunkHeader.Raw(_mem, r);
                count[k]++;
                total[k] += rs;
                lo = rs < lo ? rs : lo;
                to[k] = rs > to[k] ? rs : to[k];
            }

            from[k] = count[k] == 0 ? 0 : lo;
            nblocks += count[k];
            avail += total[k];
        }

        sb.Append(CultureInfo.InvariantCulture, $"<heap nr=\"{nr}\">\n<sizes>\n");
        for (int i = 0; i < NFastBins + NBins - 1; i++)
        {
            if (count[i] != 0 && i != NFastBins)
            {
                sb.Append(CultureInfo.InvariantCulture, $"  <size from=\"{from[i]}\" to=\"{to[i]}\" total=\"{total[i]}\" count=\"{count[i]}\"/>\n");
            }
        }

        if (count[NFastBins] != 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  <unsorted from=\"{from[NFastBins]}\" to=\"{to[NFastBins]}\" total=\"{total[NFastBins]}\" count=\"{count[NFastBins]}\"/>\n");
        }

        sb.Append(CultureInfo.InvariantCulture, $"</sizes>\n<total type=\"fast\" count=\"{nfast}\" size=\"{fastavail}\"/>\n<total type=\"rest\" count=\"{nblocks}\" size=\"{avail}\"/>\n<system type=\"current\" size=\"{_av.SystemMem}\"/>\n<system type=\"max\" size=\"{_av.MaxSystemMem}\"/>\n");
        ulong aspace;
        ulong mprotect;
        if (_av.IsMain)
        {
            aspace = _av.SystemMem;
            mprotect = _av.SystemMem;
            sb.Append(CultureInfo.InvariantCulture, $"<aspace type=\"total\" size=\"{aspace}\"/>\n<aspace type=\"mprotect\" size=\"{mprotect}\"/>\n");
        }
        else
        {
            aspace = 0;
            mprotect = 0;
            foreach (ulong h in _av.Heaps)
            {
                aspace += ChunkHeader.Load(_mem, h + HiSize);
                mprotect += ChunkHeader.Load(_mem, h + HiMprotect);
            }

            sb.Append(CultureInfo.InvariantCulture, $"<aspace type=\"total\" size=\"{aspace}\"/>\n<aspace type=\"mprotect\" size=\"{mprotect}\"/>\n<aspace type=\"subheaps\" size=\"{_av.Heaps.Count}\"/>\n");
        }

        sb.Append("</heap>\n");
        tNfast += nfast;
        tFast += fastavail;
        tN += nblocks;
        tAvail += avail;
        tSys += _av.SystemMem;
        tMax += _av.MaxSystemMem;
        tAspace += aspace;
        tMprotect += mprotect;
    }

    /// <inheritdoc/>
    public AllocatorStatistics GetStatistics()
    {
        using (EnterLock())
        {
            MallInfo2? info = null;
            ulong tcacheBytes = 0;
            ulong largest = 0;
            try
            {
                info = IntMallinfo("int_mallinfo(): unaligned fastbin chunk detected");
                largest = info.Keepcost;
                foreach (HeapBlock b in WalkHeapInternal())
                {
                    if (b.Kind is HeapBlockKind.Free or HeapBlockKind.Cached or HeapBlockKind.Top)
                    {
                        if (b.Size > largest)
                        {
                            largest = b.Size;
                        }

                        if (b.Kind == HeapBlockKind.Cached && b.Detail.StartsWith("tcache", System.StringComparison.Ordinal))
                        {
                            tcacheBytes += b.Size;
                        }
                    }
                }
            }
            catch (System.Exception e) when (e is SegmentationFaultException or HeapCorruptionException)
            {
                // A corrupted heap: report the counters that do not depend on walking it.
            }

            ulong arenaBytes = 0;
            foreach (Arena a in _arenas)
            {
                arenaBytes += a.SystemMem;
            }

            return new AllocatorStatistics
            {
                Version = AllocatorStatistics.CurrentVersion,
                Strategy = StrategyName,
                Allocations = _allocations,
                Frees = _frees,
                Reallocations = _reallocations,
                FailedAllocations = _failedAllocations,
                LastFailure = _lastFailure,
                LiveBlocks = _allocations - _frees, // every counted allocation adds a live block, every counted free removes one
                AllocatedBytes = _allocatedBytes,
                PeakAllocatedBytes = _peakAllocatedBytes,
                HeldBytes = arenaBytes + _mmappedMem,
                FreeBytes = (info?.Fordblks ?? 0) + tcacheBytes,
                LargestFreeBlock = largest,
                Os = _os.GetStatistics(),
            };
        }
    }

    /// <summary>__libc_mallinfo2: int_mallinfo over every arena, main first, then the list order.</summary>
    private MallInfo2 IntMallinfo(string check)
    {
        Arena saved = _av;
        try
        {
            ulong arena = 0, ord = 0, sm = 0, fsm = 0, uord = 0, ford = 0;
            for (Arena? a = _main; a is not null; a = a.Next)
            {
                _av = a;
                MallInfo2 m = IntMallinfoArena(check);
                arena += m.Arena;
                ord += m.Ordblks;
                sm += m.Smblks;
                fsm += m.Fsmblks;
                uord += m.Uordblks;
                ford += m.Fordblks;
            }

            return new MallInfo2(arena, ord, sm, (ulong)_nMmaps, _mmappedMem, 0, fsm, uord, ford, IsBinHead(_main.Top) ? 0 : ChunkHeader.Size(_mem, _main.Top));
        }
        finally
        {
            _av = saved;
        }
    }

    private MallInfo2 IntMallinfoArena(string check)
    {
        ulong avail = TopChunkSize();
        ulong nblocks = 1;
        ulong nfast = 0;
        ulong fastavail = 0;
        for (int i = 0; i < NFastBins; i++)
        {
            for (ulong p = _av.Fastbins[i]; p != 0; p = ChunkHeader.Protect(p + 16, ChunkHeader.Fd(_mem, p)))
            {
                if (!ChunkHeader.Aligned(p))
                {
                    Corrupt(check, p);
                }

                nfast++;
                fastavail += ChunkHeader.Size(_mem, p);
            }
        }

        avail += fastavail;
        for (int i = 1; i < NBins; i++)
        {
            ulong b = BinAt(i);
            for (ulong p = _av.BinBk[i]; p != b; p = ChunkHeader.Bk(_mem, p))
            {
                nblocks++;
                avail += ChunkHeader.Size(_mem, p);
            }
        }

        return new MallInfo2(_av.SystemMem, nblocks, nfast, (ulong)_nMmaps, _mmappedMem, 0, fastavail, _av.SystemMem - avail, avail, TopChunkSize());
    }
}
