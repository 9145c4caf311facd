// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Strategies.Glibc;

/// <summary>_int_free: tcache, fastbin, coalescing into the unsorted bin or top, the trim trigger (spec §7.3).</summary>
public sealed partial class GlibcAllocator
{
    /// <summary>_int_free(av, p, have_lock).</summary>
    private void IntFree(ulong p, bool haveLock)
    {
        ulong size = ChunkHeader.Size(_os, p);
        if (p > (0UL - size) || !ChunkHeader.Aligned(p))
        {
            Corrupt("free(): invalid pointer", p + 16);
        }

        if (size < ChunkHeader.MinSize || !ChunkHeader.Aligned(size))
        {
            Corrupt("free(): invalid size", p + 16);
        }

        if (_tcache != 0)
        {
            ulong tcIdx = ChunkHeader.TcacheIndex(size);
            if (tcIdx < _tcacheBins)
            {
                ulong e = p + 16;
                if (_os.ReadUInt64(e + 8) == _tcacheKey)
                {
                    TcacheDoubleFreeCheck(e, tcIdx);
                }

                if (TcacheCountAt(tcIdx) < _tcacheCount)
                {
                    TcachePut(p, tcIdx);
                    return;
                }
            }
        }

        if (size <= _globalMaxFast)
        {
            FreeFast(p, size, haveLock);
            return;
        }

        ulong raw = ChunkHeader.Raw(_os, p);
        if ((raw & ChunkHeader.IsMmapped) == 0)
        {
            FreeNormal(p, size);
        }
        else
        {
            MunmapChunk(p);
        }
    }

    private void FreeFast(ulong p, ulong size, bool haveLock)
    {
        ulong nextRaw = ChunkHeader.Raw(_os, p + size);
        if (nextRaw <= ChunkHeader.HeaderSize || (nextRaw & ~ChunkHeader.SizeBits) >= _av.SystemMem)
        {
            Corrupt("free(): invalid next size (fast)", p + 16);
        }

        int idx = ChunkHeader.FastbinIndex(size);
        ulong old = _av.Fastbins[idx];
        if (old == p)
        {
            _av.HaveFastChunks = true;
            Corrupt("double free or corruption (fasttop)", p + 16);
        }

        if (haveLock && old != 0 && ChunkHeader.FastbinIndex(ChunkHeader.Size(_os, old)) != idx)
        {
            Corrupt("invalid fastbin entry (free)", p + 16);
        }

        FreePerturb(p, size);
        _av.HaveFastChunks = true;
        ChunkHeader.SetFd(_os, p, ChunkHeader.Protect(p + 16, old));
        _av.Fastbins[idx] = p;
    }

    private void FreeNormal(ulong p, ulong size)
    {
        ulong nextChunk = p + size;
        if (p == _av.Top)
        {
            Corrupt("double free or corruption (top)", p + 16);
        }

        if (_av.Contiguous && nextChunk >= _av.Top + TopChunkSize())
        {
            Corrupt("double free or corruption (out)", p + 16);
        }

        ulong nextRaw = ChunkHeader.Raw(_os, nextChunk);
        if ((nextRaw & ChunkHeader.PrevInUse) == 0)
        {
            Corrupt("double free or corruption (!prev)", p + 16);
        }

        ulong nextSize = nextRaw & ~ChunkHeader.SizeBits;
        if (nextRaw <= ChunkHeader.HeaderSize || nextSize >= _av.SystemMem)
        {
            Corrupt("free(): invalid next size (normal)", p + 16);
        }

        // Every check glibc makes on this path runs before anything is written (glibc interleaves some of them
        // with the unlinking; in a consistent heap the outcome is the same, and a failed check leaves the heap intact).
        ulong mem = p + 16;
        bool coalescePrev = (ChunkHeader.Raw(_os, p) & ChunkHeader.PrevInUse) == 0;
        ulong prev = 0;
        ulong prevSize = 0;
        if (coalescePrev)
        {
            prevSize = ChunkHeader.Prev(_os, p);
            prev = p - prevSize;
            if (ChunkHeader.Size(_os, prev) != prevSize)
            {
                Corrupt("corrupted size vs. prev_size while consolidating", mem);
            }

            CheckUnlink(prev);
        }

        bool nextIsTop = nextChunk == _av.Top;
        bool nextFree = !nextIsTop && !ChunkHeader.InUseAt(_os, nextChunk, nextSize);
        if (nextFree)
        {
            CheckUnlink(nextChunk);
        }

        if (!nextIsTop)
        {
            ulong front = _av.BinFd[1];
            if (!(coalescePrev && front == prev) && !(nextFree && front == nextChunk) && LinkBk(front) != BinAt(1))
            {
                Corrupt("free(): corrupted unsorted chunks", mem);
            }
        }

        FreePerturb(p, size);
        if (coalescePrev)
        {
            UnlinkChunk(prev);
            size += prevSize;
            p = prev;
        }

        if (!nextIsTop)
        {
            if (nextFree)
            {
                UnlinkChunk(nextChunk);
                size += nextSize;
            }
            else
            {
                ChunkHeader.ClearInUseAt(_os, nextChunk, 0);
            }

            UnsortedInsertFront(p, size, "free(): corrupted unsorted chunks");
            ChunkHeader.SetHead(_os, p, size | ChunkHeader.PrevInUse);
            ChunkHeader.SetFoot(_os, p, size);
        }
        else
        {
            size += nextSize;
            ChunkHeader.SetHead(_os, p, size | ChunkHeader.PrevInUse);
            _av.Top = p;
        }

        if (size >= FastbinConsolidationThreshold)
        {
            if (_av.HaveFastChunks)
            {
                MallocConsolidate();
            }

            if (_av.IsMain)
            {
                if (TopChunkSize() >= _trimThreshold)
                {
                    Systrim(_topPad);
                }
            }
            else
            {
                HeapTrim(_av.Top & ~(HeapMaxSize - 1), _topPad);
            }
        }
    }
}
