// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Strategies.Glibc;

/// <summary>_mid_memalign and _int_memalign (spec §7.6, §11.2).</summary>
public sealed partial class GlibcAllocator
{
    private ulong Memalign(ulong alignment, ulong bytes)
    {
        if (!_initialized)
        {
            PtmallocInit();
        }

        if (alignment <= 16)
        {
            return Malloc(bytes);
        }

        if (alignment < ChunkHeader.MinSize)
        {
            alignment = ChunkHeader.MinSize;
        }

        if (alignment > (1UL << 63))
        {
            SetFailure(AllocationFailure.InvalidArgument);
            return 0;
        }

        if (!PowerOfTwoOrZero(alignment))
        {
            ulong a = 32;
            while (a < alignment)
            {
                a <<= 1;
            }

            alignment = a;
        }

        ArenaGet(bytes + alignment + ChunkHeader.MinSize);
        return IntMemalign(alignment, bytes);
    }

    private ulong IntMemalign(ulong alignment, ulong bytes)
    {
        ulong nb = ChunkHeader.CheckedRequestToSize(bytes);
        if (nb == 0 || alignment > long.MaxValue)
        {
            SetFailure(AllocationFailure.OutOfMemory);
            return 0;
        }

        ulong m = IntMallocPerturbed(nb + alignment + ChunkHeader.MinSize);
        if (m == 0)
        {
            return 0;
        }

        ulong p = m - 16;
        if (m % alignment != 0)
        {
            ulong brk = ((m + alignment - 1) & (0UL - alignment)) - 16;
            if (brk - p < ChunkHeader.MinSize)
            {
                brk += alignment;
            }

            ulong newp = brk;
            ulong leadSize = brk - p;
            ulong newSize = ChunkHeader.Size(_mem, p) - leadSize;
            if ((ChunkHeader.Raw(_mem, p) & ChunkHeader.IsMmapped) != 0)
            {
                ChunkHeader.SetPrev(_mem, newp, ChunkHeader.Prev(_mem, p) + leadSize);
                ChunkHeader.SetHead(_mem, newp, newSize | ChunkHeader.IsMmapped);
                _mmappedChunks.Remove(p);
                _mmappedChunks.Add(newp);
                return newp + 16;
            }

            ChunkHeader.SetHead(_mem, newp, newSize | ChunkHeader.PrevInUse | _av.ABit);
            ChunkHeader.SetInUseAt(_mem, newp, newSize);
            ChunkHeader.SetHeadSize(_mem, p, leadSize | _av.ABit);
            IntFree(p, true);
            p = newp;
        }

        if ((ChunkHeader.Raw(_mem, p) & ChunkHeader.IsMmapped) == 0)
        {
            ulong size = ChunkHeader.Size(_mem, p);
            if (size > nb + ChunkHeader.MinSize)
            {
                ulong remainder = p + nb;
                ChunkHeader.SetHead(_mem, remainder, (size - nb) | ChunkHeader.PrevInUse | _av.ABit);
                ChunkHeader.SetHeadSize(_mem, p, nb);
                IntFree(remainder, true);
            }
        }

        return p + 16;
    }
}
