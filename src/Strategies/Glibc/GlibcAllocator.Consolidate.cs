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

                if (ChunkHeader.FastbinIndex(ChunkHeader.Size(_os, p)) != fi)
                {
                    Corrupt("malloc_consolidate(): invalid chunk size", p);
                }

                ulong nextp = ChunkHeader.Protect(p + 16, ChunkHeader.Fd(_os, p));
                ulong size = ChunkHeader.Size(_os, p);
                ulong nextChunk = p + size;
                ulong nextSize = ChunkHeader.Size(_os, nextChunk);

                if ((ChunkHeader.Raw(_os, p) & ChunkHeader.PrevInUse) == 0)
                {
                    ulong prevSize = ChunkHeader.Prev(_os, p);
                    size += prevSize;
                    p -= prevSize;
                    if (ChunkHeader.Size(_os, p) != prevSize)
                    {
                        Corrupt("corrupted size vs. prev_size in fastbins", p);
                    }

                    UnlinkChunk(p);
                }

                if (nextChunk != _av.Top)
                {
                    bool nextInUse = ChunkHeader.InUseAt(_os, nextChunk, nextSize);
                    if (!nextInUse)
                    {
                        size += nextSize;
                        UnlinkChunk(nextChunk);
                    }
                    else
                    {
                        ChunkHeader.ClearInUseAt(_os, nextChunk, 0);
                    }

                    ulong firstUnsorted = _av.BinFd[1];
                    _av.BinFd[1] = p;
                    SetLinkBk(firstUnsorted, p);
                    if (!ChunkHeader.InSmallbinRange(size))
                    {
                        ChunkHeader.SetFdNext(_os, p, 0);
                        ChunkHeader.SetBkNext(_os, p, 0);
                    }

                    ChunkHeader.SetHead(_os, p, size | ChunkHeader.PrevInUse);
                    ChunkHeader.SetBk(_os, p, BinAt(1));
                    ChunkHeader.SetFd(_os, p, firstUnsorted);
                    ChunkHeader.SetFoot(_os, p, size);
                }
                else
                {
                    size += nextSize;
                    ChunkHeader.SetHead(_os, p, size | ChunkHeader.PrevInUse);
                    _av.Top = p;
                }

                p = nextp;
            }
            while (p != 0);
        }
    }
}
