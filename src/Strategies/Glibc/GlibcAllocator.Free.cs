// Copyright (c) Allocators contributors. MIT License.

using System.Runtime.CompilerServices;

namespace Allocators.Strategies.Glibc;

/// <summary>_int_free: tcache, fastbin, coalescing into the unsorted bin or top, the trim trigger (spec §7.3).</summary>
public sealed partial class GlibcAllocator
{
    /// <summary>_int_free(av, p, have_lock).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void IntFree(ulong p, bool haveLock) => IntFree(p, haveLock, ChunkHeader.Raw(_mem, p));

    /// <summary>_int_free with the chunk's SIZE word already read as <paramref name="raw"/> (nothing written to it since).</summary>
    private void IntFree(ulong p, bool haveLock, ulong raw)
    {
        ulong size = raw & ~ChunkHeader.SizeBits;
        CheckFreedChunk(p, size);
        if (!TryTcacheFree(p, size))
        {
            IntFreeAfterTcache(p, haveLock, raw);
        }
    }

    /// <summary>_int_free's first checks: the pointer (no wrap-around, aligned) and the size (at least MINSIZE, aligned).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckFreedChunk(ulong p, ulong size)
    {
        if (p > (0UL - size) || !ChunkHeader.Aligned(p))
        {
            Corrupt("free(): invalid pointer", p + 16);
        }

        if (size < ChunkHeader.MinSize || !ChunkHeader.Aligned(size))
        {
            Corrupt("free(): invalid size", p + 16);
        }
    }

    /// <summary>_int_free's tcache part (after <see cref="CheckFreedChunk"/>): true when the chunk went into the tcache.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryTcacheFree(ulong p, ulong size) => TryTcacheFree(p, size, 0);

    /// <summary>
    /// _int_free's tcache part with the host address of the chunk's SIZE, next and key words (C+8 to C+31) known as
    /// <paramref name="words"/> (0: through the window), taken since the caller last called the process.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryTcacheFree(ulong p, ulong size, nint words)
    {
        if (_tcache == 0)
        {
            return false;
        }

        ulong tcIdx = ChunkHeader.TcacheIndex(size);
        if (tcIdx >= _tcacheBins)
        {
            return false;
        }

        ulong e = p + 16;
        if ((words != 0 ? HostWord(words, 16) : ChunkHeader.Load(_mem, e + 8)) == _tcacheKey)
        {
            // Reads only (a first touch through the window adds direct pages, never removes one): words stays valid.
            TcacheDoubleFreeCheck(e, tcIdx);
        }

        nint host = TcacheHost();
        if (host != 0)
        {
            if (HostCount(host, tcIdx) < _tcacheCount)
            {
                TcachePutHost(host, p, tcIdx, words != 0 ? words + 8 : _mem.HeapHostOf(e, 16));
                return true;
            }

            return false;
        }

        if (TcacheCountAtWindow(tcIdx) < _tcacheCount)
        {
            TcachePutWindow(p, tcIdx);
            return true;
        }

        return false;
    }

    /// <summary>The rest of _int_free when the tcache did not take the chunk: a fastbin, the normal path, or munmap.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void IntFreeAfterTcache(ulong p, bool haveLock, ulong raw)
    {
        // raw: p's SIZE word as the caller read it; the tcache part only read memory since, so it is not read again.
        ulong size = raw & ~ChunkHeader.SizeBits;
        if (size <= _globalMaxFast)
        {
            FreeFast(p, size, haveLock);
            return;
        }

        if ((raw & ChunkHeader.IsMmapped) == 0)
        {
            FreeNormal(p, size, raw);
        }
        else
        {
            MunmapChunk(p);
        }
    }

    private void FreeFast(ulong p, ulong size, bool haveLock)
    {
        ulong nextRaw = ChunkHeader.Raw(_mem, p + size);
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

        if (haveLock && old != 0 && ChunkHeader.FastbinIndex(ChunkHeader.Size(_mem, old)) != idx)
        {
            Corrupt("invalid fastbin entry (free)", p + 16);
        }

        FreePerturb(p, size);
        _av.HaveFastChunks = true;
        ChunkHeader.SetFd(_mem, p, ChunkHeader.Protect(p + 16, old));
        _av.Fastbins[idx] = p;
    }

    private void FreeNormal(ulong p, ulong size, ulong raw)
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

        // p's words from its SIZE through the next chunk's SIZE (p's links, the foot, the next SIZE) with one window test
        // when one direct page holds them (p + size cannot wrap: _int_free's first check ruled that out).
        nint words = _mem.HeapHostOf(p + 8, size + 8);
        ulong nextRaw = words != 0 ? HostWord(words, (int)size) : ChunkHeader.Raw(_mem, nextChunk);
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
        bool coalescePrev = (raw & ChunkHeader.PrevInUse) == 0;
        ulong prev = 0;
        ulong prevSize = 0;
        if (coalescePrev)
        {
            prevSize = ChunkHeader.Prev(_mem, p);
            prev = p - prevSize;
            if (ChunkHeader.Size(_mem, prev) != prevSize)
            {
                Corrupt("corrupted size vs. prev_size while consolidating", mem);
            }

            // unlink_chunk's own prev_size check compares the same two words just compared above (prev's size and
            // the PREV word of prev + prevSize == p), so only its list checks remain.
            CheckUnlinkLinks(prev, prevSize);
        }

        bool nextIsTop = nextChunk == _av.Top;
        bool nextFree = false;
        UnlinkWords next = default;
        if (!nextIsTop)
        {
            nextFree = (AfterNextRaw(nextChunk, nextSize, out nint nextWords) & ChunkHeader.PrevInUse) == 0;
            if (nextFree)
            {
                ulong foot = nextWords != 0 ? HostWord(nextWords, (int)nextSize - 8) : ChunkHeader.Prev(_mem, nextChunk + nextSize);
                if (nextSize != foot)
                {
                    Corrupt("corrupted size vs. prev_size", nextChunk);
                }

                next = CheckUnlinkLinks(nextChunk, nextSize, nextWords != 0 ? nextWords + 8 : 0);
            }

            ulong front = _av.BinFd[1];
            if (!(coalescePrev && front == prev) && !(nextFree && front == nextChunk) && LinkBk(front) != BinAt(1))
            {
                Corrupt("free(): corrupted unsorted chunks", mem);
            }
        }

        if (_perturb != 0)
        {
            // The fill is a call into the process: host addresses taken before it are not used after it.
            FreePerturb(p, size);
            words = 0;
        }

        if (coalescePrev)
        {
            if (_perturb == 0)
            {
                // Nothing has been written since prev's checks passed: the links only.
                UnlinkChecked(prev, prevSize);
            }
            else
            {
                // The perturb fill may have rewritten a word the checks read (a corrupted link into p): check again.
                UnlinkChunk(prev);
            }

            size += prevSize;
            p = prev;
            words = 0;
        }

        // Without a write since the checks (no backward coalescing, no perturb fill), what they read is still there.
        bool unchanged = !coalescePrev && _perturb == 0;
        if (!nextIsTop)
        {
            if (nextFree)
            {
                if (unchanged)
                {
                    UnlinkLinks(nextChunk, next);
                }
                else
                {
                    UnlinkChunk(nextChunk);
                }

                size += nextSize;
            }
            else if (words != 0)
            {
                // p is unchanged (words is only kept then) and nothing could have written the next SIZE word since it
                // was read: the perturb fill stops at p + size, and no unlink ran.
                HostWord(words, (int)size) = nextRaw & ~ChunkHeader.PrevInUse;
            }
            else
            {
                ChunkHeader.ClearInUseAt(_mem, nextChunk, 0);
            }

            nint sizeWord = UnsortedInsertFront(p, size, "free(): corrupted unsorted chunks", words);
            SetInsertedHead(sizeWord, p, size | ChunkHeader.PrevInUse);
            if (words != 0 && !nextFree)
            {
                // The foot is the next chunk's PREV word, in the same page.
                HostWord(words, (int)size - 8) = size;
            }
            else
            {
                ChunkHeader.SetFoot(_mem, p, size);
            }
        }
        else
        {
            size += nextSize;
            ChunkHeader.SetHead(_mem, p, size | ChunkHeader.PrevInUse);
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

    /// <summary>
    /// The SIZE word of the chunk after <paramref name="nextChunk"/> (of size <paramref name="nextSize"/>, no flags): its P bit
    /// tells whether <paramref name="nextChunk"/> is in use. <paramref name="nextWords"/> receives the host address of
    /// nextChunk's SIZE word, valid through that word (nextChunk's links and foot), when one direct page holds them, else 0
    /// (a size below MINSIZE or not below a page, as a corrupted one may be, always takes the window).
    /// </summary>
    private ulong AfterNextRaw(ulong nextChunk, ulong nextSize, out nint nextWords)
    {
        nextWords = nextSize >= ChunkHeader.MinSize && nextSize < _pageSize ? _mem.HeapHostOf(nextChunk + 8, nextSize + 8) : 0;
        return nextWords != 0 ? HostWord(nextWords, (int)nextSize) : ChunkHeader.Raw(_mem, nextChunk + nextSize);
    }
}
