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
        lock (_lock)
        {
            Enter("mallinfo2");
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
        lock (_lock)
        {
            Enter("malloc_stats");
            if (!_initialized)
            {
                PtmallocInit();
            }

            MallInfo2 mi = IntMallinfo("int_mallinfo(): unaligned fastbin chunk detected");
            var sb = new StringBuilder(256);
            uint systemB = (uint)_mmappedMem;
            uint inUseB = (uint)_mmappedMem;
            sb.Append("Arena 0:\n");
            sb.Append(CultureInfo.InvariantCulture, $"system bytes     = {(uint)mi.Arena,10}\n");
            sb.Append(CultureInfo.InvariantCulture, $"in use bytes     = {(uint)mi.Uordblks,10}\n");
            systemB += (uint)mi.Arena;
            inUseB += (uint)mi.Uordblks;
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
        lock (_lock)
        {
            Enter("malloc_info");
            if (!_initialized)
            {
                PtmallocInit();
            }

            var sb = new StringBuilder(1024);
            sb.Append("<malloc version=\"1\">\n");
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

                ulong thisSize = ChunkHeader.Size(_os, p);
                ulong n = 0;
                while (p != 0)
                {
                    if (!ChunkHeader.Aligned(p))
                    {
                        Corrupt("__malloc_info(): unaligned fastbin chunk detected", p);
                    }

                    n++;
                    p = ChunkHeader.Protect(p + 16, ChunkHeader.Fd(_os, p));
                }

                from[i] = thisSize - (ChunkHeader.AlignMask);
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
                for (ulong r = _av.BinFd[i]; r != bin; r = ChunkHeader.Fd(_os, r))
                {
                    ulong rs = ChunkHeader.Raw(_os, r);
                    count[k]++;
                    total[k] += rs;
                    lo = rs < lo ? rs : lo;
                    to[k] = rs > to[k] ? rs : to[k];
                }

                from[k] = count[k] == 0 ? 0 : lo;
                nblocks += count[k];
                avail += total[k];
            }

            sb.Append("<heap nr=\"0\">\n<sizes>\n");
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
            sb.Append(CultureInfo.InvariantCulture, $"<aspace type=\"total\" size=\"{_av.SystemMem}\"/>\n<aspace type=\"mprotect\" size=\"{_av.SystemMem}\"/>\n</heap>\n");
            sb.Append(CultureInfo.InvariantCulture, $"<total type=\"fast\" count=\"{nfast}\" size=\"{fastavail}\"/>\n<total type=\"rest\" count=\"{nblocks}\" size=\"{avail}\"/>\n<total type=\"mmap\" count=\"{_nMmaps}\" size=\"{_mmappedMem}\"/>\n");
            sb.Append(CultureInfo.InvariantCulture, $"<system type=\"current\" size=\"{_av.SystemMem}\"/>\n<system type=\"max\" size=\"{_av.MaxSystemMem}\"/>\n<aspace type=\"total\" size=\"{_av.SystemMem}\"/>\n<aspace type=\"mprotect\" size=\"{_av.SystemMem}\"/>\n</malloc>\n");
            return sb.ToString();
        }
    }

    /// <inheritdoc/>
    public AllocatorStatistics GetStatistics()
    {
        lock (_lock)
        {
            MallInfo2 mi = IntMallinfo("int_mallinfo(): unaligned fastbin chunk detected");
            ulong tcacheBytes = 0;
            ulong largest = mi.Keepcost;
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

            return new AllocatorStatistics
            {
                Version = AllocatorStatistics.CurrentVersion,
                Strategy = StrategyName,
                Allocations = _allocations,
                Frees = _frees,
                Reallocations = _reallocations,
                FailedAllocations = _failedAllocations,
                LastFailure = _lastFailure,
                LiveBlocks = _liveBlocks,
                AllocatedBytes = _allocatedBytes,
                PeakAllocatedBytes = _peakAllocatedBytes,
                HeldBytes = _av.SystemMem + _mmappedMem,
                FreeBytes = mi.Fordblks + tcacheBytes,
                LargestFreeBlock = largest,
                Os = _os.GetStatistics(),
            };
        }
    }

    private MallInfo2 IntMallinfo(string check)
    {
        ulong avail = TopChunkSize();
        ulong nblocks = 1;
        ulong nfast = 0;
        ulong fastavail = 0;
        for (int i = 0; i < NFastBins; i++)
        {
            for (ulong p = _av.Fastbins[i]; p != 0; p = ChunkHeader.Protect(p + 16, ChunkHeader.Fd(_os, p)))
            {
                if (!ChunkHeader.Aligned(p))
                {
                    Corrupt(check, p);
                }

                nfast++;
                fastavail += ChunkHeader.Size(_os, p);
            }
        }

        avail += fastavail;
        for (int i = 1; i < NBins; i++)
        {
            ulong b = BinAt(i);
            for (ulong p = _av.BinBk[i]; p != b; p = ChunkHeader.Bk(_os, p))
            {
                nblocks++;
                avail += ChunkHeader.Size(_os, p);
            }
        }

        return new MallInfo2(_av.SystemMem, nblocks, nfast, (ulong)_nMmaps, _mmappedMem, 0, fastavail, _av.SystemMem - avail, avail, TopChunkSize());
    }
}
