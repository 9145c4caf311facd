// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Strategies.Glibc;

/// <summary>__libc_realloc and _int_realloc (spec §7.5, §11.1).</summary>
public sealed partial class GlibcAllocator
{
    /// <summary>__libc_realloc.</summary>
    /// <param name="oldmem">The old user pointer (0: malloc).</param>
    /// <param name="bytes">The new size.</param>
    /// <param name="oldRaw">The SIZE word of <paramref name="oldmem"/>'s chunk as the caller has just read it (read again only after ptmalloc_init).</param>
    /// <returns>The new user pointer or 0.</returns>
    private ulong Realloc(ulong oldmem, ulong bytes, ulong oldRaw)
    {
        bool wasInitialized = _initialized;
        if (!wasInitialized)
        {
            PtmallocInit();
        }

        if (bytes == 0 && oldmem != 0)
        {
            FreeInternal(oldmem);
            return 0;
        }

        if (oldmem == 0)
        {
            return Malloc(bytes);
        }

        ulong oldp = oldmem - 16;
        ulong raw = wasInitialized ? oldRaw : ChunkHeader.Raw(_mem, oldp);
        ulong oldSize = raw & ~ChunkHeader.SizeBits;
        bool mmapped = (raw & ChunkHeader.IsMmapped) != 0;
        if (!mmapped && _tcache == 0)
        {
            TcacheInit();
        }

        if (oldp > (0UL - oldSize) || !ChunkHeader.Aligned(oldp))
        {
            Corrupt("realloc(): invalid pointer", oldmem);
        }

        if (!mmapped)
        {
            ArenaForChunk(oldp);
        }

        ulong nb = ChunkHeader.CheckedRequestToSize(bytes);
        if (nb == 0)
        {
            SetFailure(AllocationFailure.OutOfMemory);
            return 0;
        }

        if (mmapped)
        {
            ulong newp = MremapChunk(oldp, nb);
            if (newp != 0)
            {
                return newp + 16;
            }

            if (oldSize - ChunkHeader.Word >= nb)
            {
                return oldmem;
            }

            ulong newmem = Malloc(bytes);
            if (newmem == 0)
            {
                return 0;
            }

            _os.Copy(newmem, oldmem, oldSize - ChunkHeader.HeaderSize);
            MunmapChunk(oldp);
            return newmem;
        }

        return IntRealloc(oldp, oldSize, nb);
    }

    private ulong IntRealloc(ulong oldp, ulong oldSize, ulong nb)
    {
        if (ChunkHeader.Raw(_mem, oldp) <= ChunkHeader.HeaderSize || oldSize >= _av.SystemMem)
        {
            Corrupt("realloc(): invalid old size", oldp + 16);
        }

        ulong next = oldp + oldSize;
        ulong nextRaw = ChunkHeader.Raw(_mem, next);
        ulong nextSize = nextRaw & ~ChunkHeader.SizeBits;
        if (nextRaw <= ChunkHeader.HeaderSize || nextSize >= _av.SystemMem)
        {
            Corrupt("realloc(): invalid next size", oldp + 16);
        }

        ulong newp;
        ulong newSize;
        if (oldSize >= nb)
        {
            newp = oldp;
            newSize = oldSize;
        }
        else if (next == _av.Top && oldSize + nextSize >= nb + ChunkHeader.MinSize)
        {
            newSize = oldSize + nextSize;
            ChunkHeader.SetHeadSize(_mem, oldp, nb | _av.ABit);
            _av.Top = oldp + nb;
            ChunkHeader.SetHead(_mem, _av.Top, (newSize - nb) | ChunkHeader.PrevInUse);
            return oldp + 16;
        }
        else if (next != _av.Top && !ChunkHeader.InUseAt(_mem, next, nextSize) && oldSize + nextSize >= nb)
        {
            newSize = oldSize + nextSize;
            newp = oldp;
            UnlinkChunk(next);
        }
        else
        {
            ulong newmem = IntMallocPerturbed(nb - ChunkHeader.AlignMask);
            if (newmem == 0)
            {
                return 0;
            }

            newp = newmem - 16;
            newSize = ChunkHeader.Size(_mem, newp);
            if (newp == next)
            {
                newSize += oldSize;
                newp = oldp;
            }
            else
            {
                // memcpy through host memory when both ranges are direct heap pages, else through the process.
                _mem.CopyHeap(newmem, oldp + 16, oldSize - ChunkHeader.Word);
                IntFree(oldp, true);
                return newmem;
            }
        }

        ulong remainderSize = newSize - nb;
        if (remainderSize < ChunkHeader.MinSize)
        {
            ChunkHeader.SetHeadSize(_mem, newp, newSize | _av.ABit);
            ChunkHeader.SetInUseAt(_mem, newp, newSize);
        }
        else
        {
            ulong remainder = newp + nb;
            ChunkHeader.SetHeadSize(_mem, newp, nb | _av.ABit);
            ChunkHeader.SetHead(_mem, remainder, remainderSize | ChunkHeader.PrevInUse | _av.ABit);
            ChunkHeader.SetInUseAt(_mem, remainder, remainderSize);
            IntFree(remainder, true);
        }

        return newp + 16;
    }
}
