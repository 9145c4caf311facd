// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Strategies.Glibc;

/// <summary>_int_malloc: fastbin, small bin, unsorted scan, large best fit, binmap search, top (spec §6).</summary>
public sealed partial class GlibcAllocator
{
    /// <summary>_int_malloc(main_arena, bytes); returns a user pointer or 0.</summary>
    private ulong IntMalloc(ulong bytes)
    {
        ulong nb = ChunkHeader.CheckedRequestToSize(bytes);
        if (nb == 0)
        {
            SetFailure(AllocationFailure.OutOfMemory);
            return 0;
        }

        // 6.1 fastbin
        if (nb <= _globalMaxFast)
        {
            int fi = ChunkHeader.FastbinIndex(nb);
            ulong victim = _av.Fastbins[fi];
            if (victim != 0)
            {
                return FastbinTake(victim, fi, nb);
            }
        }

        int idx;

        // 6.2 small bin
        if (ChunkHeader.InSmallbinRange(nb))
        {
            idx = ChunkHeader.SmallbinIndex(nb);
            ulong bin = BinAt(idx);
            ulong victim = _av.BinBk[idx];
            if (victim != bin)
            {
                return SmallbinTake(victim, idx, nb);
            }
        }
        else
        {
            // 6.3 large request pre-step
            idx = ChunkHeader.LargebinIndex(nb);
            if (_av.HaveFastChunks)
            {
                MallocConsolidate();
            }
        }

        ulong tcIdx = ChunkHeader.TcacheIndex(nb);
        ulong tcacheNb = _tcache != 0 && tcIdx < _tcacheBins ? nb : 0;
        ulong processed = 0;

        while (true)
        {
            // 6.4 unsorted scan
            bool returnCached = false;
            int iters = 0;
            ulong unsorted = BinAt(1);
            ulong victim;
            while ((victim = _av.BinBk[1]) != unsorted)
            {
                // victim's SIZE, fd and bk (C+8 to C+31) and next's PREV and SIZE with one window test each when direct:
                // reading a word of a direct page has no effect, so the eager reads are the window's reads in glibc's order.
                nint words = _mem.HeapHostOf(victim + 8, 24);
                ulong bck = words != 0 ? HostWord(words, 16) : ChunkHeader.Bk(_mem, victim);
                ulong size = (words != 0 ? HostWord(words, 0) : ChunkHeader.Raw(_mem, victim)) & ~ChunkHeader.SizeBits;
                ulong next = victim + size;
                if (size <= ChunkHeader.HeaderSize || size > _av.SystemMem)
                {
                    Corrupt("malloc(): invalid size (unsorted)", victim);
                }

                nint nextWords = _mem.HeapHostOf(next, 16);
                ulong nextRaw = nextWords != 0 ? HostWord(nextWords, 8) : ChunkHeader.Raw(_mem, next);
                if (nextRaw < ChunkHeader.HeaderSize || nextRaw > _av.SystemMem)
                {
                    Corrupt("malloc(): invalid next size (unsorted)", victim);
                }

                if (((nextWords != 0 ? HostWord(nextWords, 0) : ChunkHeader.Prev(_mem, next)) & ~ChunkHeader.SizeBits) != size)
                {
                    Corrupt("malloc(): mismatching next->prev_size (unsorted)", victim);
                }

                if (LinkFd(bck) != victim || (words != 0 ? HostWord(words, 8) : ChunkHeader.Fd(_mem, victim)) != unsorted)
                {
                    Corrupt("malloc(): unsorted double linked list corrupted", victim);
                }

                if ((nextRaw & ChunkHeader.PrevInUse) != 0)
                {
                    Corrupt("malloc(): invalid next->prev_inuse (unsorted)", victim);
                }

                if (ChunkHeader.InSmallbinRange(nb) && bck == unsorted && victim == _av.LastRemainder && size > nb + ChunkHeader.MinSize)
                {
                    ulong remainderSize = size - nb;
                    ulong remainder = victim + nb;
                    _av.BinFd[1] = remainder;
                    _av.BinBk[1] = remainder;
                    _av.LastRemainder = remainder;
                    // The remainder's SIZE and links with one window test when they share a direct page.
                    nint rest = SetFreeLinks(remainder, unsorted, unsorted, !ChunkHeader.InSmallbinRange(remainderSize));

                    ChunkHeader.SetHead(_mem, victim, nb | ChunkHeader.PrevInUse | _av.ABit);
                    SetInsertedHead(rest, remainder, remainderSize | ChunkHeader.PrevInUse);
                    ChunkHeader.SetFoot(_mem, remainder, remainderSize);
                    return victim + 16;
                }

                // glibc tests bck->fd != victim again here ("malloc(): corrupted unsorted chunks 3"); nothing has been
                // written since the same word passed the test above, so it cannot fail and is not repeated.
                _av.BinBk[1] = bck;
                SetLinkFd(bck, unsorted);

                if (size == nb)
                {
                    // next's SIZE word, read again (the bck->fd store may have hit it through a corrupted bck); nothing has
                    // called the process since nextWords was taken.
                    if (nextWords != 0)
                    {
                        HostWord(nextWords, 8) |= ChunkHeader.PrevInUse;
                    }
                    else
                    {
                        ChunkHeader.SetInUseAt(_mem, victim, size);
                    }

                    SetNonMainArena(victim);
                    if (tcacheNb != 0 && TcacheCountAt(tcIdx) < _tcacheCount)
                    {
                        TcachePut(victim, tcIdx);
                        returnCached = true;
                        continue;
                    }

                    return victim + 16;
                }

                PlaceInBin(victim, size);

                processed++;
                if (returnCached && _tcacheUnsortedLimit > 0 && processed > _tcacheUnsortedLimit)
                {
                    _lastWasCached = true;
                    return TcacheGet(tcIdx);
                }

                if (++iters >= MaxIters)
                {
                    break;
                }
            }

            if (returnCached)
            {
                _lastWasCached = true;
                return TcacheGet(tcIdx);
            }

            // 6.5 large request: best fit in its own bin
            if (!ChunkHeader.InSmallbinRange(nb))
            {
                ulong bin = BinAt(idx);
                victim = _av.BinFd[idx];
                if (victim != bin && ChunkHeader.Raw(_mem, victim) >= nb)
                {
                    return LargeBestFit(victim, idx, nb);
                }
            }

            // 6.6 binmap search
            ulong found = BinmapSearch(idx, nb);
            if (found != 0)
            {
                return found;
            }

            // 6.7 top
            victim = _av.Top;
            ulong topSize = TopChunkSize();
            if (topSize > _av.SystemMem)
            {
                Corrupt("malloc(): corrupted top size", victim);
            }

            if (topSize >= nb + ChunkHeader.MinSize)
            {
                ulong remainder = victim + nb;
                _av.Top = remainder;

                // Both heads with one window test when they share a direct page (a small request carved from top).
                nint heads = _mem.HeapHostOf(victim + 8, nb + 8);
                if (heads != 0)
                {
                    HostWord(heads, 0) = nb | ChunkHeader.PrevInUse | _av.ABit;
                    HostWord(heads, (int)nb) = (topSize - nb) | ChunkHeader.PrevInUse;
                }
                else
                {
                    ChunkHeader.SetHead(_mem, victim, nb | ChunkHeader.PrevInUse | _av.ABit);
                    ChunkHeader.SetHead(_mem, remainder, (topSize - nb) | ChunkHeader.PrevInUse);
                }

                return victim + 16;
            }

            if (_av.HaveFastChunks)
            {
                MallocConsolidate();
                idx = ChunkHeader.BinIndex(nb);
                continue;
            }

            return Sysmalloc(nb);
        }
    }

    private ulong FastbinTake(ulong victim, int fi, ulong nb)
    {
        if (!ChunkHeader.Aligned(victim))
        {
            Corrupt("malloc(): unaligned fastbin chunk detected 2", victim);
        }

        // victim's SIZE and fd with one window test when their page is direct (reading them there has no effect).
        nint words = _mem.HeapHostOf(victim + 8, 16);
        ulong nextHead = ChunkHeader.Protect(victim + 16, words != 0 ? HostWord(words, 8) : ChunkHeader.Fd(_mem, victim));
        if (ChunkHeader.FastbinIndex((words != 0 ? HostWord(words, 0) : ChunkHeader.Raw(_mem, victim)) & ~ChunkHeader.SizeBits) != fi)
        {
            Corrupt("malloc(): memory corruption (fast)", victim);
        }

        _av.Fastbins[fi] = nextHead;
        ulong tcIdx = ChunkHeader.TcacheIndex(nb);
        if (_tcache != 0 && tcIdx < _tcacheBins)
        {
            // The struct's host address once (nothing in the loop calls the process: it stays valid), not per count and put.
            nint host = TcacheHost();
            ulong tc;
            while (TcacheCountAt(host, tcIdx) < _tcacheCount && (tc = _av.Fastbins[fi]) != 0)
            {
                if (!ChunkHeader.Aligned(tc))
                {
                    Corrupt("malloc(): unaligned fastbin chunk detected 3", tc);
                }

                // tc's fd (read) and next/key (written by tcache_put) are the same two words: one window test.
                nint links = _mem.HeapHostOf(tc + 16, 16);
                _av.Fastbins[fi] = ChunkHeader.Protect(tc + 16, links != 0 ? HostWord(links, 0) : ChunkHeader.Fd(_mem, tc));
                TcachePutAt(host, tc, tcIdx, links);
            }
        }

        return victim + 16;
    }

    private ulong SmallbinTake(ulong victim, int idx, ulong nb)
    {
        ulong bin = BinAt(idx);

        // victim's bk and the next chunk's SIZE word (C+24 to C+nb+15) with one window test when they share a direct
        // page: the bck->fd read in between goes through the window, which never takes a page away.
        nint span = _mem.HeapHostOf(victim + 24, nb - 8);
        ulong bck = span != 0 ? HostWord(span, 0) : ChunkHeader.Bk(_mem, victim);
        if (LinkFd(bck) != victim)
        {
            Corrupt("malloc(): smallbin double linked list corrupted", victim);
        }

        if (span != 0)
        {
            HostWord(span, (int)nb - 16) |= ChunkHeader.PrevInUse;
        }
        else
        {
            ChunkHeader.SetInUseAt(_mem, victim, nb);
        }

        _av.BinBk[idx] = bck;
        SetNonMainArena(victim);
        SetLinkFd(bck, bin);
        ulong tcIdx = ChunkHeader.TcacheIndex(nb);
        if (_tcache != 0 && tcIdx < _tcacheBins)
        {
            // The struct's host address once (nothing in the loop calls the process: it stays valid), not per count and put.
            nint host = TcacheHost();
            ulong tc;
            while (TcacheCountAt(host, tcIdx) < _tcacheCount && (tc = _av.BinBk[idx]) != bin)
            {
                // tc's bk (read), its next/key words (written by tcache_put) and the next chunk's SIZE word with one
                // window test when they share a direct page, else the links with one and the SIZE word through the window.
                nint links = _mem.HeapHostOf(tc + 16, nb);
                bool withNext = links != 0;
                if (!withNext)
                {
                    links = _mem.HeapHostOf(tc + 16, 16);
                }

                bck = links != 0 ? HostWord(links, 8) : ChunkHeader.Bk(_mem, tc);
                if (withNext)
                {
                    HostWord(links, (int)nb - 8) |= ChunkHeader.PrevInUse;
                }
                else
                {
                    ChunkHeader.SetInUseAt(_mem, tc, nb);
                }

                SetNonMainArena(tc);
                _av.BinBk[idx] = bck;
                SetLinkFd(bck, bin);
                TcachePutAt(host, tc, tcIdx, links);
            }
        }

        return victim + 16;
    }

    private ulong LargeBestFit(ulong first, int idx, ulong nb)
    {
        ulong victim = ChunkHeader.BkNext(_mem, first);
        ulong raw;
        while (((raw = ChunkHeader.Raw(_mem, victim)) & ~ChunkHeader.SizeBits) < nb)
        {
            victim = ChunkHeader.BkNext(_mem, victim);
        }

        ulong size = raw & ~ChunkHeader.SizeBits;
        if (victim != _av.BinBk[idx])
        {
            ulong fd = ChunkHeader.Fd(_mem, victim);
            if (raw == ChunkHeader.Raw(_mem, fd))
            {
                victim = fd;
            }
        }

        // victim's SIZE word (or, after the step to fd, the same raw word of the run's next chunk) was read as size.
        ulong remainderSize = size - nb;
        UnlinkChunk(victim, size);
        if (remainderSize < ChunkHeader.MinSize)
        {
            ChunkHeader.SetInUseAt(_mem, victim, size);
            SetNonMainArena(victim);
        }
        else
        {
            ulong remainder = victim + nb;
            nint sizeWord = UnsortedInsertFront(remainder, remainderSize, "malloc(): corrupted unsorted chunks");
            ChunkHeader.SetHead(_mem, victim, nb | ChunkHeader.PrevInUse | _av.ABit);
            SetInsertedHead(sizeWord, remainder, remainderSize | ChunkHeader.PrevInUse);
            ChunkHeader.SetFoot(_mem, remainder, remainderSize);
        }

        return victim + 16;
    }

    /// <summary>The text glibc prints when the binmap victim is smaller than the request.</summary>
    internal const string BinmapSizeAssertion =
        "Fatal glibc error: malloc assertion failure in _int_malloc: (unsigned long) (size) >= (unsigned long) (nb)";

    /// <summary>The binmap search for the lowest non-empty bin above <paramref name="idx"/>; 0 when none.</summary>
    private ulong BinmapSearch(int idx, ulong nb)
    {
        int i = idx + 1;
        while (i < NBins)
        {
            int block = i >> 5;
            uint map = _av.Binmap[block] & (uint.MaxValue << (i & 31));
            if (map == 0)
            {
                i = (block + 1) << 5;
                continue;
            }

            i = (block << 5) + System.Numerics.BitOperations.TrailingZeroCount(map);
            ulong bin = BinAt(i);
            ulong victim = _av.BinBk[i];
            if (victim == bin)
            {
                _av.Binmap[block] &= ~(1u << (i & 31));
                i++;
                continue;
            }

            ulong size = ChunkHeader.Size(_mem, victim);
            if (size < nb)
            {
                // A live assert in 2.36, checked before the unlink (a size word shrunk by a write after free).
                Corrupt(BinmapSizeAssertion, victim);
            }

            ulong remainderSize = size - nb;
            UnlinkChunk(victim, size);
            if (remainderSize < ChunkHeader.MinSize)
            {
                ChunkHeader.SetInUseAt(_mem, victim, size);
                SetNonMainArena(victim);
            }
            else
            {
                ulong remainder = victim + nb;
                nint sizeWord = UnsortedInsertFront(remainder, remainderSize, "malloc(): corrupted unsorted chunks 2");
                if (ChunkHeader.InSmallbinRange(nb))
                {
                    _av.LastRemainder = remainder;
                }

                ChunkHeader.SetHead(_mem, victim, nb | ChunkHeader.PrevInUse | _av.ABit);
                SetInsertedHead(sizeWord, remainder, remainderSize | ChunkHeader.PrevInUse);
                ChunkHeader.SetFoot(_mem, remainder, remainderSize);
            }

            return victim + 16;
        }

        return 0;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private void SetNonMainArena(ulong c)
    {
        if (!_av.IsMain)
        {
            ChunkHeader.SetHead(_mem, c, ChunkHeader.Raw(_mem, c) | ChunkHeader.NonMainArena);
        }
    }
}
