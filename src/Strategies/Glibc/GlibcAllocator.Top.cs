// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Strategies.Glibc;

/// <summary>sysmalloc (direct mmap, brk growth, foreign breaks, fenceposts, the mmap fallback), systrim, sbrk, mmapped chunks (spec §9, §10).</summary>
public sealed partial class GlibcAllocator
{
    internal const string SysmallocAssertion =
        "Fatal glibc error: malloc assertion failure in sysmalloc: (old_top == initial_top (av) && old_size == 0) || ((unsigned long) (old_size) >= MINSIZE && prev_inuse (old_top) && ((unsigned long) old_end & (pagesize - 1)) == 0)";

    private ulong AlignUpPage(ulong x) => (x + _pageSize - 1) & ~(_pageSize - 1);

    /// <summary>libc's sbrk through its cached break: returns the old break, or 0 (MORECORE_FAILURE).</summary>
    private ulong SbrkInternal(long increment)
    {
        if (!_curbrkKnown)
        {
            _curbrk = Sys.Brk(0);
            _curbrkKnown = true;
        }

        if (increment == 0)
        {
            return _curbrk;
        }

        ulong old = _curbrk;
        bool overflow = increment > 0 ? old + (ulong)increment < old : old < (ulong)(-increment);
        if (overflow)
        {
            return 0;
        }

        ulong target = old + (ulong)increment;
        _curbrk = Sys.Brk(target);
        return _curbrk < target ? 0 : old;
    }

    /// <summary>sysmalloc(nb, av) for the main arena; returns a user pointer or 0 (ENOMEM).</summary>
    private ulong Sysmalloc(ulong nb)
    {
        if (nb >= _mmapThreshold && _nMmaps < _nMmapsMax)
        {
            ulong mm = SysmallocMmap(nb);
            if (mm != 0)
            {
                return mm;
            }
        }

        return SysmallocHeap(nb, triedMmap: nb >= _mmapThreshold && _nMmaps < _nMmapsMax);
    }

    private ulong SysmallocHeap(ulong nb, bool triedMmap)
    {
        ulong oldTop = _av.Top;
        bool initialTop = IsBinHead(oldTop);
        ulong oldSize = TopChunkSize();
        ulong oldEnd = oldTop + oldSize;
        if (!((initialTop && oldSize == 0)
            || (!initialTop && oldSize >= ChunkHeader.MinSize && (ChunkHeader.Raw(_mem, oldTop) & ChunkHeader.PrevInUse) != 0 && (oldEnd & (_pageSize - 1)) == 0)))
        {
            Corrupt(SysmallocAssertion, oldTop);
        }

        if (!_av.IsMain)
        {
            if (!SysmallocThreadHeap(nb, oldTop, oldSize))
            {
                if (!triedMmap)
                {
                    ulong mm = SysmallocMmap(nb);
                    if (mm != 0)
                    {
                        return mm;
                    }
                }
            }

            return SysmallocCarve(nb);
        }

        ulong brk = 0;
        ulong sndBrk = 0;
        ulong size = nb + _topPad + ChunkHeader.MinSize;
        if (_av.Contiguous)
        {
            size -= oldSize;
        }

        size = AlignUpPage(size);
        if ((long)size > 0)
        {
            brk = SbrkInternal((long)size);
        }

        if (brk == 0)
        {
            ulong mbrk = MmapFallback(ref size, nb, oldSize);
            if (mbrk != 0)
            {
                brk = mbrk;
                sndBrk = brk + size;
            }
        }

        if (brk != 0)
        {
            if (_sbrkBase == 0)
            {
                _sbrkBase = brk;
                _segmentStarts.Add(brk);
            }

            _av.SystemMem += size;
            if (brk == oldEnd && sndBrk == 0)
            {
                ChunkHeader.SetHead(_mem, oldTop, (size + oldSize) | ChunkHeader.PrevInUse);
            }
            else if (_av.Contiguous && oldSize != 0 && brk < oldEnd)
            {
                _av.SystemMem -= size;
                Corrupt("break adjusted to free malloc space", brk);
            }
            else
            {
                ulong correction = 0;
                ulong alignedBrk = brk;
                if (_av.Contiguous)
                {
                    if (oldSize != 0)
                    {
                        _av.SystemMem += brk - oldEnd;
                    }

                    ulong frontMisalign = (brk + 16) & ChunkHeader.AlignMask;
                    if (frontMisalign > 0)
                    {
                        correction = 16 - frontMisalign;
                        alignedBrk += correction;
                    }

                    correction += oldSize;
                    ulong endMisalign = brk + size + correction;
                    correction += AlignUpPage(endMisalign) - endMisalign;
                    sndBrk = SbrkInternal((long)correction);
                    if (sndBrk == 0)
                    {
                        correction = 0;
                        sndBrk = SbrkInternal(0);
                    }
                }
                else if (sndBrk == 0)
                {
                    sndBrk = SbrkInternal(0);
                }

                if (sndBrk != 0)
                {
                    _av.Top = alignedBrk;
                    ChunkHeader.SetHead(_mem, _av.Top, (sndBrk - alignedBrk + correction) | ChunkHeader.PrevInUse);
                    _av.SystemMem += correction;
                    if (!_segmentStarts.Contains(alignedBrk))
                    {
                        _segmentStarts.Add(alignedBrk);
                    }

                    if (oldSize != 0)
                    {
                        oldSize = (oldSize - (2 * ChunkHeader.HeaderSize)) & ~ChunkHeader.AlignMask;
                        ChunkHeader.SetHead(_mem, oldTop, oldSize | ChunkHeader.PrevInUse);
                        ChunkHeader.SetHead(_mem, oldTop + oldSize, ChunkHeader.HeaderSize | ChunkHeader.PrevInUse);
                        ChunkHeader.SetHead(_mem, oldTop + oldSize + ChunkHeader.HeaderSize, ChunkHeader.HeaderSize | ChunkHeader.PrevInUse);
                        if (oldSize >= ChunkHeader.MinSize)
                        {
                            IntFree(oldTop, true);
                        }
                    }
                }
            }
        }

        return SysmallocCarve(nb);
    }

    private ulong SysmallocCarve(ulong nb)
    {
        if (_av.SystemMem > _av.MaxSystemMem)
        {
            _av.MaxSystemMem = _av.SystemMem;
        }

        ulong p = _av.Top;
        ulong topSize = TopChunkSize();
        if (topSize >= nb + ChunkHeader.MinSize)
        {
            ulong remainder = p + nb;
            _av.Top = remainder;
            ChunkHeader.SetHead(_mem, p, nb | ChunkHeader.PrevInUse | _av.ABit);
            ChunkHeader.SetHead(_mem, remainder, (topSize - nb) | ChunkHeader.PrevInUse);
            return p + 16;
        }

        SetFailure(AllocationFailure.OutOfMemory);
        return 0;
    }

    /// <summary>sysmalloc_mmap: a chunk with a mapping of its own; 0 on failure.</summary>
    private ulong SysmallocMmap(ulong nb)
    {
        ulong size = AlignUpPage(nb + ChunkHeader.Word);
        if (size <= nb)
        {
            return 0;
        }

        OsResult r = Sys.Mmap(0, size, Protection.ReadWrite, MapFlags.PrivateAnonymous);
        if (!r.Succeeded)
        {
            return 0;
        }

        ulong mm = r.Value;
        ChunkHeader.SetPrev(_mem, mm, 0);
        ChunkHeader.SetHead(_mem, mm, size | ChunkHeader.IsMmapped);
        _nMmaps++;
        if (_nMmaps > _maxNMmaps)
        {
            _maxNMmaps = _nMmaps;
        }

        _mmappedMem += size;
        if (_mmappedMem > _maxMmappedMem)
        {
            _maxMmappedMem = _mmappedMem;
        }

        _mmappedChunks.Add(mm);
        return mm + 16;
    }

    /// <summary>sysmalloc_mmap_fallback as glibc 2.36 calls it: minimum one page, rounding unit 1 MiB (the swapped-argument bug).</summary>
    private ulong MmapFallback(ref ulong size, ulong nb, ulong oldSize)
    {
        const ulong roundingUnit = MmapAsMorecoreSize;
        ulong minimum = _pageSize;
        ulong fsize = size;
        if (_av.Contiguous)
        {
            fsize = (fsize + oldSize + roundingUnit - 1) & ~(roundingUnit - 1);
        }

        if (fsize < minimum)
        {
            fsize = minimum;
        }

        if (fsize <= nb)
        {
            return 0;
        }

        OsResult r = Sys.Mmap(0, fsize, Protection.ReadWrite, MapFlags.PrivateAnonymous);
        if (!r.Succeeded)
        {
            return 0;
        }

        _av.Contiguous = false;
        size = fsize;
        return r.Value;
    }

    /// <summary>systrim(pad, main_arena) with the unsigned comparison quirk; 1 when the break moved.</summary>
    private int Systrim(ulong pad)
    {
        ulong topSize = TopChunkSize();
        ulong topArea = topSize - ChunkHeader.MinSize - 1;
        if (topArea <= pad)
        {
            return 0;
        }

        ulong extra = (topArea - pad) & ~(_pageSize - 1);
        if (extra == 0)
        {
            return 0;
        }

        ulong currentBrk = SbrkInternal(0);
        if (currentBrk == _av.Top + topSize)
        {
            SbrkInternal(-(long)extra);
            ulong newBrk = SbrkInternal(0);
            if (newBrk != 0)
            {
                ulong released = currentBrk - newBrk;
                if (released != 0)
                {
                    _av.SystemMem -= released;
                    // max_system_mem is not raised here even when the quirk grows the heap: only sysmalloc updates it.
                    ChunkHeader.SetHead(_mem, _av.Top, (topSize - released) | ChunkHeader.PrevInUse);
                    return 1;
                }
            }
        }

        return 0;
    }

    /// <summary>__libc_malloc_trim: mtrim of every arena (main first, then the list order).</summary>
    private bool MallocTrimInternal(ulong pad)
    {
        if (!_initialized)
        {
            PtmallocInit();
        }

        int result = 0;
        for (Arena? a = _main; a is not null; a = a.Next)
        {
            _av = a;
            result |= Mtrim(pad);
        }

        return result != 0;
    }

    /// <summary>mtrim: consolidate, madvise whole free pages of bins 1 and 99.., then systrim (main arena only).</summary>
    private int Mtrim(ulong pad)
    {
        MallocConsolidate();
        ulong psm1 = _pageSize - 1;
        int psindex = ChunkHeader.BinIndex(_pageSize);
        int result = 0;
        for (int i = 1; i < NBins; i++)
        {
            if (i != 1 && i < psindex)
            {
                continue;
            }

            ulong bin = BinAt(i);
            for (ulong p = _av.BinBk[i]; p != bin; p = ChunkHeader.Bk(_mem, p))
            {
                ulong size = ChunkHeader.Size(_mem, p);
                if (size > psm1 + 48)
                {
                    ulong paligned = (p + 48 + psm1) & ~psm1;
                    size -= paligned - p;
                    if (size > psm1)
                    {
                        Sys.Madvise(paligned, size & ~psm1, MadviseAdvice.DontNeed);
                        result = 1;
                    }
                }
            }
        }

        return result | (_av.IsMain ? Systrim(pad) : 0);
    }

    private static bool PowerOfTwoOrZero(ulong x) => (x & (x - 1)) == 0;

    /// <summary>munmap_chunk with its validity check.</summary>
    private void MunmapChunk(ulong p)
    {
        ulong size = ChunkHeader.Size(_mem, p);
        ulong offset = ChunkHeader.Prev(_mem, p);
        ulong block = p - offset;
        ulong total = offset + size;
        ulong mem = p + 16;
        if (((block | total) & (_pageSize - 1)) != 0 || !PowerOfTwoOrZero(mem & (_pageSize - 1)))
        {
            Corrupt("munmap_chunk(): invalid pointer", mem);
        }

        _nMmaps--;
        _mmappedMem -= total;
        _mmappedChunks.Remove(p);
        Sys.Munmap(block, total);
    }

    /// <summary>mremap_chunk: resizes a mmapped chunk; returns the (possibly moved) chunk, or 0 when mremap failed.</summary>
    private ulong MremapChunk(ulong p, ulong nb)
    {
        ulong offset = ChunkHeader.Prev(_mem, p);
        ulong size = ChunkHeader.Size(_mem, p);
        ulong block = p - offset;
        ulong mem = p + 16;
        ulong total = offset + size;
        if (((block | total) & (_pageSize - 1)) != 0 || !PowerOfTwoOrZero(mem & (_pageSize - 1)))
        {
            Corrupt("mremap_chunk(): invalid pointer", mem);
        }

        ulong newSize = AlignUpPage(nb + offset + ChunkHeader.Word);
        if (total == newSize)
        {
            return p;
        }

        OsResult r = Sys.Mremap(block, total, newSize, MremapFlags.MayMove);
        if (!r.Succeeded)
        {
            return 0;
        }

        ulong np = r.Value + offset;
        ChunkHeader.SetHead(_mem, np, (newSize - offset) | ChunkHeader.IsMmapped);
        _mmappedMem = _mmappedMem + newSize - size - offset;
        if (_mmappedMem > _maxMmappedMem)
        {
            _maxMmappedMem = _mmappedMem;
        }

        _mmappedChunks.Remove(p);
        _mmappedChunks.Add(np);
        return np;
    }
}
