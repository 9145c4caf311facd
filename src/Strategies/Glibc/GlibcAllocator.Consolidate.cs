// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Strategies.Glibc;

/// <summary>malloc_consolidate: every fastbin chunk is coalesced and moved to the unsorted bin or top (spec §8).</summary>
public sealed partial class GlibcAllocator
{
    private void MallocConsolidate()
    {
        _av.HaveFastChunks = false;
        for (int fi = 0; fi < NFastBins; fi++)
        {
            ulong p = _av.Fastbins[fi];
            if (p == 0)
            {
                continue;
            }

            _av.Fastbins[fi] = 0;

            // The size of every chunk of this bin (the index check below rejects the others, all but sizes whose index
            // only matches through its 32-bit truncation, which then take the window).
            ulong binSize = ((ulong)fi + 2) << 4;
            do
            {
                if (!ChunkHeader.Aligned(p))
                {
                    Corrupt("malloc_consolidate(): unaligned fastbin chunk detected", p);
                }

                // p's PREV word through the next chunk's SIZE (SIZE, fd, the links written below, the foot) with one window
                // test when one direct page holds them. One read of p's SIZE word serves the index check, the size and the P
                // bit (nothing is written between).
                nint words = _mem.HeapHostOf(p, binSize + 16);
                ulong raw = words != 0 ? HostWord(words, 8) : ChunkHeader.Raw(_mem, p);
                ulong size = raw & ~ChunkHeader.SizeBits;
                if (ChunkHeader.FastbinIndex(size) != fi)
                {
                    Corrupt("malloc_consolidate(): invalid chunk size", p);
                }

                if (size != binSize)
                {
                    words = 0;
                }

                ulong nextp = ChunkHeader.Protect(p + 16, words != 0 ? HostWord(words, 16) : ChunkHeader.Fd(_mem, p));
                ulong nextChunk = p + size;
                ulong nextRaw = words != 0 ? HostWord(words, (int)size + 8) : ChunkHeader.Raw(_mem, nextChunk);
                ulong nextSize = nextRaw & ~ChunkHeader.SizeBits;

                if ((raw & ChunkHeader.PrevInUse) == 0)
                {
                    ulong prevSize = words != 0 ? HostWord(words, 0) : ChunkHeader.Prev(_mem, p);
                    size += prevSize;
                    p -= prevSize;
                    if (ChunkHeader.Size(_mem, p) != prevSize)
                    {
                        Corrupt("corrupted size vs. prev_size in fastbins", p);
                    }

                    // unlink_chunk's prev_size check would compare the same two words again (p's size, the PREV word read above).
                    UnlinkSized(p, prevSize);

                    // p moved and the unlink wrote: from here on, through the window (words also says "nothing written yet").
                    words = 0;
                }

                if (nextChunk != _av.Top)
                {
                    bool nextInUse = (AfterNextRaw(nextChunk, nextSize, out nint nextWords) & ChunkHeader.PrevInUse) != 0;
                    if (!nextInUse)
                    {
                        size += nextSize;
                        if (words != 0)
                        {
                            // Nothing written since the next SIZE word was read: unlink_chunk with that size.
                            UnlinkChunk(nextChunk, nextSize, nextWords);
                        }
                        else
                        {
                            UnlinkChunk(nextChunk);
                        }
                    }
                    else if (words != 0)
                    {
                        // Nothing written since the next SIZE word was read (no unlink ran).
                        HostWord(words, (int)binSize + 8) = nextRaw & ~ChunkHeader.PrevInUse;
                    }
                    else
                    {
                        ChunkHeader.ClearInUseAt(_mem, nextChunk, 0);
                    }

                    ulong firstUnsorted = _av.BinFd[1];
                    _av.BinFd[1] = p;
                    SetLinkBk(firstUnsorted, p);
                    bool large = !ChunkHeader.InSmallbinRange(size);

                    // SIZE, fd, bk (and the nextsize links) of p: through words while p has not moved (the writes since
                    // went through the window or host memory, never the process), else one window test when their page
                    // is direct; same stores, same order.
                    nint head = words != 0 ? words + 8 : _mem.HeapHostOf(p + 8, large ? 40UL : 24UL);
                    if (head != 0)
                    {
                        if (large)
                        {
                            HostWord(head, 24) = 0;
                            HostWord(head, 32) = 0;
                        }

                        HostWord(head, 0) = size | ChunkHeader.PrevInUse;
                        HostWord(head, 16) = BinAt(1);
                        HostWord(head, 8) = firstUnsorted;
                    }
                    else
                    {
                        if (large)
                        {
                            ChunkHeader.SetFdNext(_mem, p, 0);
                            ChunkHeader.SetBkNext(_mem, p, 0);
                        }

                        ChunkHeader.SetHead(_mem, p, size | ChunkHeader.PrevInUse);
                        ChunkHeader.SetBk(_mem, p, BinAt(1));
                        ChunkHeader.SetFd(_mem, p, firstUnsorted);
                    }

                    if (words != 0 && nextInUse)
                    {
                        // Unmoved, unmerged: the foot is the next chunk's PREV word, in the same page.
                        HostWord(words, (int)size) = size;
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

                p = nextp;
            }
            while (p != 0);
        }
    }
}
