// Copyright (c) Allocators contributors. MIT License.

using System.Runtime.CompilerServices;

namespace Allocators.Strategies.Glibc;

/// <summary>Bin links: the fd/bk accessors that know the fake bin-head addresses, unlink_chunk, large-bin insertion, binmap.</summary>
public sealed partial class GlibcAllocator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong LinkFd(ulong c) => IsBinHead(c) ? DataRead(c + 16) : ChunkHeader.Fd(_mem, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong LinkBk(ulong c) => IsBinHead(c) ? DataRead(c + 24) : ChunkHeader.Bk(_mem, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SetLinkFd(ulong c, ulong v)
    {
        if (IsBinHead(c))
        {
            DataWrite(c + 16, v);
        }
        else
        {
            ChunkHeader.SetFd(_mem, c, v);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SetLinkBk(ulong c, ulong v)
    {
        if (IsBinHead(c))
        {
            DataWrite(c + 24, v);
        }
        else
        {
            ChunkHeader.SetBk(_mem, c, v);
        }
    }

    /// <summary>fd_nextsize; a bin head's reads as the next bin's fd (never null), as in glibc's overlapping layout.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong LinkFdNext(ulong c) => IsBinHead(c) ? DataRead(c + 32) : ChunkHeader.FdNext(_mem, c);

    /// <summary>
    /// Reads a word of an arena's bins array as libc's .data holds it: bin i's fd at <c>head(i) + 16</c>, its bk at
    /// <c>head(i) + 24</c>, so consecutive heads overlap exactly as glibc's bin_at fake chunks do. A corrupted link may
    /// point at any byte there (say a head + 1): the read then spans two words, like the real unaligned load. Bytes of
    /// the arena outside the bins array read as 0; an address beyond every arena is a simulated SIGSEGV.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong DataRead(ulong address)
    {
        // The running arena's own bins first (every link of a normal unlink or bin insertion), then any arena.
        Arena av = _av;
        ulong own = address - av.BinBase - 16;
        if (own < NBins * 16 && (own & 7) == 0)
        {
            return (own & 8) == 0 ? av.BinFd[(int)(own >> 4)] : av.BinBk[(int)(own >> 4)];
        }

        return DataReadOther(address);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong DataReadOther(ulong address)
    {
        ulong rel = address - BinHeadBase;
        ulong k = rel >> 12;
        ulong off = rel & 0xfff;
        if (k < (ulong)_arenas.Count && (off & 7) == 0 && off >= 16 && off < 16 + (NBins * 16))
        {
            Arena a = _arenas[(int)k];
            ulong w = (off - 16) >> 3;
            return (w & 1) == 0 ? a.BinFd[(int)(w >> 1)] : a.BinBk[(int)(w >> 1)];
        }

        return DataReadSlow(address);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong DataReadSlow(ulong address)
    {
        ulong lo = DataWord(address & ~7UL);
        int shift = (int)(address & 7) * 8;
        if (shift == 0)
        {
            return lo;
        }

        ulong hi = DataWord((address & ~7UL) + 8);
        return (lo >> shift) | (hi << (64 - shift));
    }

    private ulong DataWord(ulong aligned)
    {
        ulong rel = aligned - BinHeadBase;
        ulong k = rel >> 12;
        if (aligned < BinHeadBase || k >= (ulong)_arenas.Count)
        {
            throw new SegmentationFaultException(aligned, MemoryAccessKind.Read, false, "a corrupted link points past every arena in libc's .data");
        }

        ulong off = rel & 0xfff;
        if (off < 16 || off >= 16 + (NBins * 16))
        {
            return 0;
        }

        Arena a = _arenas[(int)k];
        ulong w = (off - 16) >> 3;
        return (w & 1) == 0 ? a.BinFd[(int)(w >> 1)] : a.BinBk[(int)(w >> 1)];
    }

    /// <summary>Writes a word of an arena's bins array (see <see cref="DataRead"/>): the running arena's own bins inline.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void DataWrite(ulong address, ulong value)
    {
        Arena av = _av;
        ulong own = address - av.BinBase - 16;
        if (own < NBins * 16 && (own & 7) == 0)
        {
            if ((own & 8) == 0)
            {
                av.BinFd[(int)(own >> 4)] = value;
            }
            else
            {
                av.BinBk[(int)(own >> 4)] = value;
            }

            return;
        }

        DataWriteOther(address, value);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void DataWriteOther(ulong address, ulong value)
    {
        ulong rel = address - BinHeadBase;
        ulong k = rel >> 12;
        ulong off = rel & 0xfff;
        if (k < (ulong)_arenas.Count && (off & 7) == 0 && off >= 16 && off < 16 + (NBins * 16))
        {
            Arena a = _arenas[(int)k];
            ulong w = (off - 16) >> 3;
            if ((w & 1) == 0)
            {
                a.BinFd[(int)(w >> 1)] = value;
            }
            else
            {
                a.BinBk[(int)(w >> 1)] = value;
            }

            return;
        }

        // An unaligned or out-of-bins store through a corrupted link: apply it byte by byte to the words it covers.
        for (int i = 0; i < 8; i++)
        {
            ulong ba = address + (ulong)i;
            ulong wa = ba & ~7UL;
            int sh = (int)(ba & 7) * 8;
            ulong old = DataWord(wa);
            ulong updated = (old & ~(0xffUL << sh)) | (((value >> (i * 8)) & 0xff) << sh);
            ulong r2 = wa - BinHeadBase;
            ulong o2 = r2 & 0xfff;
            if (o2 >= 16 && o2 < 16 + (NBins * 16))
            {
                Arena a = _arenas[(int)(r2 >> 12)];
                ulong w = (o2 - 16) >> 3;
                if ((w & 1) == 0)
                {
                    a.BinFd[(int)(w >> 1)] = updated;
                }
                else
                {
                    a.BinBk[(int)(w >> 1)] = updated;
                }
            }
        }
    }

    /// <summary>
    /// The links of a free chunk as unlink_chunk's checks read them: fd, bk and, for a large chunk, the nextsize links
    /// (fd_nextsize 0 for a small chunk; bk_nextsize 0 when fd_nextsize is).
    /// </summary>
    private readonly record struct UnlinkWords(ulong Fd, ulong Bk, bool Large, ulong FdNext, ulong BkNext);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void MarkBin(int i) => _av.Binmap[i >> 5] |= 1u << (i & 31);

    /// <summary>The list checks of unlink_chunk (fd/bk, then the nextsize links of a large chunk of size <paramref name="size"/>).</summary>
    private void CheckUnlinkLinks(ulong p, ulong size) => CheckUnlinkLinks(p, size, 0);

    /// <summary>
    /// The list checks of unlink_chunk for chunk <paramref name="p"/> of size <paramref name="size"/> (no flags), with the
    /// host address of its links (C+16 on, the nextsize links included for a large chunk) known as <paramref name="links"/>
    /// (0: through the window). Returns the links it read, which the unlinking writes with when nothing was written since.
    /// </summary>
    private UnlinkWords CheckUnlinkLinks(ulong p, ulong size, nint links)
    {
        ulong fd = links != 0 ? HostWord(links, 0) : ChunkHeader.Fd(_mem, p);
        ulong bk = links != 0 ? HostWord(links, 8) : ChunkHeader.Bk(_mem, p);
        if (LinkBk(fd) != p || LinkFd(bk) != p)
        {
            Corrupt("corrupted double-linked list", p);
        }

        // size has no flag bits and 0x400 is a multiple of 8, so this is the raw word's small-bin test.
        bool large = !ChunkHeader.InSmallbinRange(size);
        ulong fdNext = 0;
        ulong bkNext = 0;
        if (large)
        {
            CheckNextSizeLinks(p, links, out fdNext, out bkNext);
        }

        return new UnlinkWords(fd, bk, large, fdNext, bkNext);
    }

    /// <summary>
    /// unlink_chunk's nextsize check for large chunk <paramref name="p"/> (links through host address <paramref name="links"/>,
    /// C+16 on, or 0: through the window): reads fd_nextsize and, when it is not null, bk_nextsize, and checks both back links.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckNextSizeLinks(ulong p, nint links, out ulong fdNext, out ulong bkNext)
    {
        bkNext = 0;
        fdNext = links != 0 ? HostWord(links, 16) : ChunkHeader.FdNext(_mem, p);
        if (fdNext != 0)
        {
            bkNext = links != 0 ? HostWord(links, 24) : ChunkHeader.BkNext(_mem, p);
            if (ChunkHeader.BkNext(_mem, fdNext) != p || ChunkHeader.FdNext(_mem, bkNext) != p)
            {
                Corrupt("corrupted double-linked list (not small)", p);
            }
        }
    }

    /// <summary>unlink_chunk with its checks.</summary>
    private void UnlinkChunk(ulong p) => UnlinkChunk(p, ChunkHeader.Size(_mem, p));

    /// <summary>
    /// unlink_chunk with its checks for a chunk whose size (no flags) the caller has just read as <paramref name="size"/>,
    /// nothing written since (its SIZE word is not read again).
    /// </summary>
    private void UnlinkChunk(ulong p, ulong size)
    {
        if (size != ChunkHeader.Prev(_mem, p + size))
        {
            Corrupt("corrupted size vs. prev_size", p);
        }

        UnlinkSized(p, size);
    }

    /// <summary>
    /// <see cref="UnlinkChunk(ulong, ulong)"/> with the host address of p's SIZE word known as <paramref name="words"/>, valid
    /// through the next chunk's SIZE word (so its foot and p's links; <paramref name="size"/> at least MINSIZE), or 0.
    /// </summary>
    private void UnlinkChunk(ulong p, ulong size, nint words)
    {
        if (size != (words != 0 ? HostWord(words, (int)size - 8) : ChunkHeader.Prev(_mem, p + size)))
        {
            Corrupt("corrupted size vs. prev_size", p);
        }

        UnlinkSized(p, size, words != 0 ? words + 8 : 0);
    }

    /// <summary>
    /// unlink_chunk after its prev_size check: for a chunk whose size (no flags) the caller has read as
    /// <paramref name="size"/> and whose next chunk's PREV word it has already compared with it, nothing written since.
    /// </summary>
    private void UnlinkSized(ulong p, ulong size) => UnlinkSized(p, size, 0);

    /// <summary>
    /// <see cref="UnlinkSized(ulong, ulong)"/> with the host address of p's links (C+16 on, the nextsize links included for
    /// a large chunk) known as <paramref name="links"/> (0: one window test here).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void UnlinkSized(ulong p, ulong size, nint links)
    {
        // size has no flag bits and 0x400 is a multiple of 8, so this is the raw word's small-bin test.
        bool large = !ChunkHeader.InSmallbinRange(size);

        // p's links (fd, bk and, for a large chunk, the nextsize links) with one window test when their page is direct.
        if (links == 0)
        {
            links = _mem.HeapHostOf(p + 16, large ? 32UL : 16UL);
        }

        ulong fd = links != 0 ? HostWord(links, 0) : ChunkHeader.Fd(_mem, p);
        ulong bk = links != 0 ? HostWord(links, 8) : ChunkHeader.Bk(_mem, p);

        // fd->bk and bk->fd are read for the check and written by the unlinking: one lookup each (see BkRef).
        ref ulong fdBk = ref BkRef(fd);
        ref ulong bkFd = ref FdRef(bk);
        if (ReadLink(ref fdBk, fd, 24) != p || ReadLink(ref bkFd, bk, 16) != p)
        {
            Corrupt("corrupted double-linked list", p);
        }

        ulong fdNext = 0;
        ulong bkNext = 0;
        if (large)
        {
            CheckNextSizeLinks(p, links, out fdNext, out bkNext);
        }

        // UnlinkLinks' stores, in its order: fd->bk, bk->fd, then the nextsize links.
        WriteLink(ref fdBk, fd, 24, bk);
        WriteLink(ref bkFd, bk, 16, fd);
        if (large && fdNext != 0)
        {
            UnlinkNextSize(p, fd, fdNext, bkNext);
        }
    }

    /// <summary>
    /// A reference to the bk word of <paramref name="c"/> (a chunk or a bin head, as a link names it) that stays valid until
    /// the allocator next calls the process: the running arena's <c>BinBk</c> element for one of its own heads, host memory
    /// for a chunk whose word lies in a direct heap page; a null reference otherwise (then <see cref="LinkBk"/> and
    /// <see cref="SetLinkBk"/>, which also serve a corrupted link to an odd head address or another arena).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref ulong BkRef(ulong c) => ref LinkRef(c, 24);

    /// <summary>A reference to the fd word of <paramref name="c"/>, as <see cref="BkRef"/> gives the bk word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref ulong FdRef(ulong c) => ref LinkRef(c, 16);

    /// <summary>
    /// The link word of <paramref name="c"/> at <paramref name="offset"/> (16 fd, 24 bk) through <paramref name="r"/>, the
    /// reference <see cref="LinkRef"/> gave for it; a null reference reads through <see cref="LinkFd"/>/<see cref="LinkBk"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong ReadLink(ref ulong r, ulong c, int offset)
        => !Unsafe.IsNullRef(ref r) ? r : offset == 16 ? LinkFd(c) : LinkBk(c);

    /// <summary>Stores <paramref name="value"/> as the link word <see cref="ReadLink"/> reads (a null reference: <see cref="SetLinkFd"/>/<see cref="SetLinkBk"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void WriteLink(ref ulong r, ulong c, int offset, ulong value)
    {
        if (!Unsafe.IsNullRef(ref r))
        {
            r = value;
        }
        else if (offset == 16)
        {
            SetLinkFd(c, value);
        }
        else
        {
            SetLinkBk(c, value);
        }
    }

    /// <summary>The reference <see cref="BkRef"/> (<paramref name="offset"/> 24) or <see cref="FdRef"/> (16) gives.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref ulong LinkRef(ulong c, int offset)
    {
        if (IsBinHead(c))
        {
            Arena av = _av;
            ulong own = c - av.BinBase;
            if (own < NBins * 16 && (own & 15) == 0)
            {
                int i = (int)(own >> 4);
                return ref offset == 16 ? ref av.BinFd[i] : ref av.BinBk[i];
            }

            return ref Unsafe.NullRef<ulong>();
        }

        nint host = _mem.HeapHostOf(c + (ulong)offset, 8);
        return ref host != 0 ? ref HostWord(host, 0) : ref Unsafe.NullRef<ulong>();
    }

    /// <summary>
    /// unlink_chunk for a chunk of size <paramref name="size"/> whose checks (<see cref="CheckUnlinkLinks(ulong, ulong)"/> and the
    /// prev_size check) have just passed with nothing written since: the links only.
    /// </summary>
    private void UnlinkChecked(ulong p, ulong size)
    {
        ulong fd = ChunkHeader.Fd(_mem, p);
        ulong bk = ChunkHeader.Bk(_mem, p);
        bool large = !ChunkHeader.InSmallbinRange(size);
        ulong fdNext = large ? ChunkHeader.FdNext(_mem, p) : 0;
        ulong bkNext = fdNext != 0 ? ChunkHeader.BkNext(_mem, p) : 0;
        UnlinkLinks(p, fd, bk, large, fdNext, bkNext);
    }

    /// <summary>The writes of unlink_chunk with the links <see cref="CheckUnlinkLinks(ulong, ulong, nint)"/> read (nothing written since).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void UnlinkLinks(ulong p, in UnlinkWords w) => UnlinkLinks(p, w.Fd, w.Bk, w.Large, w.FdNext, w.BkNext);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void UnlinkLinks(ulong p, ulong fd, ulong bk, bool large, ulong fdNext, ulong bkNext)
    {
        SetLinkBk(fd, bk);
        SetLinkFd(bk, fd);
        if (large && fdNext != 0)
        {
            UnlinkNextSize(p, fd, fdNext, bkNext);
        }
    }

    /// <summary>unlink_chunk's nextsize part for a large chunk <paramref name="p"/> with a non-null fd_nextsize, after its fd/bk unlinking.</summary>
    private void UnlinkNextSize(ulong p, ulong fd, ulong fdNext, ulong bkNext)
    {
        if (LinkFdNext(fd) == 0)
        {
            if (fdNext == p)
            {
                ChunkHeader.SetFdNext(_mem, fd, fd);
                ChunkHeader.SetBkNext(_mem, fd, fd);
            }
            else
            {
                ChunkHeader.SetFdNext(_mem, fd, fdNext);
                ChunkHeader.SetBkNext(_mem, fd, bkNext);
                ChunkHeader.SetBkNext(_mem, fdNext, fd);
                ChunkHeader.SetFdNext(_mem, bkNext, fd);
            }
        }
        else
        {
            ChunkHeader.SetBkNext(_mem, fdNext, bkNext);
            ChunkHeader.SetFdNext(_mem, bkNext, fdNext);
        }
    }

    /// <summary>
    /// Inserts <paramref name="p"/> at the front of the unsorted bin, checking the front link (message given). Returns
    /// the host address of p's SIZE word when SIZE and the links written here share one direct page (one window test),
    /// else 0: every caller sets p's head next, and may store it there (valid until the next call into the process; the
    /// stores in between go through the window, which never takes a page away).
    /// </summary>
    private nint UnsortedInsertFront(ulong p, ulong size, string check) => UnsortedInsertFront(p, size, check, 0);

    /// <summary>
    /// <see cref="UnsortedInsertFront(ulong, ulong, string)"/> with the host address of p's SIZE word known as
    /// <paramref name="words"/>, valid through p's nextsize links (0: one window test here).
    /// </summary>
    private nint UnsortedInsertFront(ulong p, ulong size, string check, nint words)
    {
        ulong bck = BinAt(1);
        ulong fwd = _av.BinFd[1];

        // fwd->bk is read for the check and written last: one lookup (see BkRef).
        ref ulong fwdBk = ref BkRef(fwd);
        if (ReadLink(ref fwdBk, fwd, 24) != bck)
        {
            Corrupt(check, p);
        }

        bool large = !ChunkHeader.InSmallbinRange(size);

        words = SetFreeLinks(p, fwd, bck, large, words);

        _av.BinFd[1] = p;
        WriteLink(ref fwdBk, fwd, 24, p);

        return words;
    }

    /// <summary>
    /// Writes a free chunk's fd and bk, and clears its nextsize links when it is <paramref name="large"/>, with one window
    /// test when SIZE and those words share a direct page (fd and bk share one 16-byte line, so which of the two is stored
    /// first is never observable). Returns the host address of p's SIZE word in that case, else 0 (see
    /// <see cref="UnsortedInsertFront(ulong, ulong, string)"/> for how long it stays valid).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private nint SetFreeLinks(ulong p, ulong fd, ulong bk, bool large) => SetFreeLinks(p, fd, bk, large, 0);

    /// <summary>
    /// <see cref="SetFreeLinks(ulong, ulong, ulong, bool)"/> with the host address of p's SIZE word, valid through its nextsize
    /// links, known as <paramref name="words"/> (0: one window test here).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private nint SetFreeLinks(ulong p, ulong fd, ulong bk, bool large, nint words)
    {
        if (words == 0)
        {
            words = _mem.HeapHostOf(p + 8, large ? 40UL : 24UL);
        }

        if (words != 0)
        {
            HostWord(words, 8) = fd;
            HostWord(words, 16) = bk;
            if (large)
            {
                HostWord(words, 24) = 0;
                HostWord(words, 32) = 0;
            }
        }
        else
        {
            ChunkHeader.SetFd(_mem, p, fd);
            ChunkHeader.SetBk(_mem, p, bk);
            if (large)
            {
                ChunkHeader.SetFdNext(_mem, p, 0);
                ChunkHeader.SetBkNext(_mem, p, 0);
            }
        }

        return words;
    }

    /// <summary>Sets the head of a chunk just given to <see cref="UnsortedInsertFront(ulong, ulong, string)"/> (through its host SIZE word when direct).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SetInsertedHead(nint sizeWord, ulong p, ulong head)
    {
        if (sizeWord != 0)
        {
            HostWord(sizeWord, 0) = head;
        }
        else
        {
            ChunkHeader.SetHead(_mem, p, head);
        }
    }

    /// <summary>Places an unsorted chunk into its small or large bin (the unsorted scan's binning step).</summary>
    private void PlaceInBin(ulong victim, ulong size)
    {
        int victimIndex;
        ulong bck;
        ulong fwd;
        if (ChunkHeader.InSmallbinRange(size))
        {
            victimIndex = ChunkHeader.SmallbinIndex(size);
            bck = BinAt(victimIndex);
            fwd = _av.BinFd[victimIndex];
        }
        else
        {
            victimIndex = ChunkHeader.LargebinIndex(size);
            bck = BinAt(victimIndex);
            fwd = _av.BinFd[victimIndex];
            if (fwd != bck)
            {
                // Compare with the P bit set, against raw size words (glibc's chunksize_nomask comparisons).
                ulong sizeP = size | ChunkHeader.PrevInUse;
                ulong last = _av.BinBk[victimIndex];
                if (sizeP < ChunkHeader.Raw(_mem, last))
                {
                    // Smaller than the smallest: append at the back and join the nextsize ring after the last run.
                    fwd = bck;
                    bck = last;
                    ulong first = _av.BinFd[victimIndex];
                    ulong firstBkNext = ChunkHeader.BkNext(_mem, first);
                    ChunkHeader.SetFdNext(_mem, victim, first);
                    ChunkHeader.SetBkNext(_mem, victim, firstBkNext);
                    ChunkHeader.SetBkNext(_mem, first, victim);
                    ChunkHeader.SetFdNext(_mem, firstBkNext, victim);
                }
                else
                {
                    while (sizeP < ChunkHeader.Raw(_mem, fwd))
                    {
                        fwd = ChunkHeader.FdNext(_mem, fwd);
                    }

                    if (sizeP == ChunkHeader.Raw(_mem, fwd))
                    {
                        // Same size: insert right after the run head, which keeps the nextsize links.
                        fwd = ChunkHeader.Fd(_mem, fwd);
                    }
                    else
                    {
                        ulong fwdBkNext = ChunkHeader.BkNext(_mem, fwd);
                        ChunkHeader.SetFdNext(_mem, victim, fwd);
                        ChunkHeader.SetBkNext(_mem, victim, fwdBkNext);
                        if (ChunkHeader.FdNext(_mem, fwdBkNext) != fwd)
                        {
                            Corrupt("malloc(): largebin double linked list corrupted (nextsize)", victim);
                        }

                        ChunkHeader.SetBkNext(_mem, fwd, victim);
                        ChunkHeader.SetFdNext(_mem, fwdBkNext, victim);
                    }

                    bck = LinkBk(fwd);
                    if (LinkFd(bck) != fwd)
                    {
                        Corrupt("malloc(): largebin double linked list corrupted (bk)", victim);
                    }
                }
            }
            else
            {
                ChunkHeader.SetFdNext(_mem, victim, victim);
                ChunkHeader.SetBkNext(_mem, victim, victim);
            }
        }

        MarkBin(victimIndex);
        nint links = _mem.HeapHostOf(victim + 16, 16);
        if (links != 0)
        {
            HostWord(links, 8) = bck;
            HostWord(links, 0) = fwd;
        }
        else
        {
            ChunkHeader.SetBk(_mem, victim, bck);
            ChunkHeader.SetFd(_mem, victim, fwd);
        }

        SetLinkBk(fwd, victim);
        if (bck == BinAt(victimIndex))
        {
            // The running arena's own head (every small bin, and a large chunk at the front or alone): its fd word directly.
            _av.BinFd[victimIndex] = victim;
        }
        else
        {
            SetLinkFd(bck, victim);
        }
    }
}
