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
            do
            {
                if (!ChunkHeader.Aligned(p))
                {
                    Corrupt("malloc_consolidate(): unaligned fastbin chunk detected", p);
                }

                // One read of p's SIZE word serves the index check, the size and the P bit (nothing is written between);
                // SIZE and fd with one window test when their page is direct.
                nint words = _mem.HeapHostOf(p + 8, 16);
                ulong raw = words != 0 ? HostWord(words, 0) : ChunkHeader.Raw(_mem, p);
                ulong size = raw & ~ChunkHeader.SizeBits;
                if (ChunkHeader.FastbinIndex(size) != fi)
                {
                    Corrupt("malloc_consolidate(): invalid chunk size", p);
                }

                ulong nextp = ChunkHeader.Protect(p + 16, words != 0 ? HostWord(words, 8) : ChunkHeader.Fd(_mem, p));
                ulong nextChunk = p + size;
                ulong nextSize = ChunkHeader.Size(_mem, nextChunk);

                if ((raw & ChunkHeader.PrevInUse) == 0)
                {
                    ulong prevSize = ChunkHeader.Prev(_mem, p);
                    size += prevSize;
                    p -= prevSize;
                    if (ChunkHeader.Size(_mem, p) != prevSize)
                    {
                        Corrupt("corrupted size vs. prev_size in fastbins", p);
                    }

                    // unlink_chunk's prev_size check would compare the same two words again (p's size, the PREV word read above).
                    UnlinkSized(p, prevSize);
                }

                if (nextChunk != _av.Top)
                {
                    bool nextInUse = ChunkHeader.InUseAt(_mem, nextChunk, nextSize);
                    if (!nextInUse)
                    {
                        size += nextSize;
                        UnlinkChunk(nextChunk);
                    }
                    else
                    {
                        ChunkHeader.ClearInUseAt(_mem, nextChunk, 0);
                    }

                    ulong firstUnsorted = _av.BinFd[1];
                    _av.BinFd[1] = p;
                    SetLinkBk(firstUnsorted, p);
                    bool large = !ChunkHeader.InSmallbinRange(size);

                    // SIZE, fd, bk (and the nextsize links) of p with one window test when their page is direct; same stores, same order.
                    nint head = _mem.HeapHostOf(p + 8, large ? 40UL : 24UL);
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

                    ChunkHeader.SetFoot(_mem, p, size);
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
