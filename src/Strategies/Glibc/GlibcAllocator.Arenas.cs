// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace Allocators.Strategies.Glibc;

/// <summary>
/// Thread arenas (spec §19): arena_get2 with the arena limit, _int_new_arena, new_heap (64 MiB-aligned PROT_NONE
/// NORESERVE reservations made readable with mprotect), grow_heap, shrink_heap, heap_trim and arena_for_chunk.
/// </summary>
/// <remarks>
/// Thread exit (<see cref="ThreadExit"/>, GlibcAllocator.ThreadExit.cs) puts an arena whose last thread ended on the
/// free list, which arena_get2 consults first.
/// </remarks>
public sealed partial class GlibcAllocator
{
    internal const ulong HeapMaxSize = 64UL * 1024 * 1024;
    internal const ulong HeapMinSize = 32 * 1024;
    internal const ulong HeapInfoSize = 48;
    internal const ulong MallocStateSize = 2200;

    // heap_info field offsets (ar_ptr, prev, size, mprotect_size, pagesize).
    private const ulong HiArena = 0;
    private const ulong HiPrev = 8;
    private const ulong HiSize = 16;
    private const ulong HiMprotect = 24;
    private const ulong HiPageSize = 32;

    private readonly Dictionary<ulong, Arena> _arenaByState = new();
    private Arena? _threadArena;
    private readonly Dictionary<int, (ulong Tcache, Arena? Arena)> _threads = new();
    private int _narenas = 1;
    private ulong _narenasLimit;
    private Arena? _nextToUse;
    private ulong _alignedHeapArea;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void SwitchThread(int tid)
    {
        if (_haveMainThread)
        {
            _threads[_currentTid] = (_tcache, _threadArena);
            if (!_threads.ContainsKey(tid))
            {
                _threads[tid] = (0, null);
            }
        }
        else
        {
            _haveMainThread = true;
            _threads[tid] = (0, _main);
        }

        _currentTid = tid;
        _switchedTid = tid;
        (_tcache, _threadArena) = _threads[tid];
    }

    /// <summary>arena_get: the calling thread's arena, creating or reusing one on its first allocation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ArenaGet(ulong size)
    {
        Arena a = _threadArena ?? ArenaGet2(size);
        if (!ReferenceEquals(_av, a))
        {
            _av = a; // the store only when it changes: a reference store costs a GC write barrier
        }
    }

    /// <summary>arena_for_chunk: the main arena, or the arena named by the heap_info of the chunk's 64 MiB heap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ArenaForChunk(ulong p) => ArenaForChunk(p, ChunkHeader.Raw(_mem, p));

    /// <summary>arena_for_chunk with the chunk's SIZE word already read as <paramref name="raw"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ArenaForChunk(ulong p, ulong raw)
    {
        if ((raw & ChunkHeader.NonMainArena) == 0)
        {
            if (!ReferenceEquals(_av, _main))
            {
                _av = _main;
            }

            return;
        }

        _av = ArenaFromHeapInfo(p);
    }

    /// <summary>The arena named by heap_info.ar_ptr of the 64 MiB heap holding chunk <paramref name="p"/> (out of line: the fast paths free main-arena chunks).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Arena ArenaFromHeapInfo(ulong p)
    {
        ulong state = ChunkHeader.Load(_mem, (p & ~(HeapMaxSize - 1)) + HiArena);
        if (!_arenaByState.TryGetValue(state, out Arena? a))
        {
            throw new SegmentationFaultException(state, MemoryAccessKind.Read, false, "heap_info.ar_ptr of a NON_MAIN_ARENA chunk names no arena");
        }

        return a;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Arena ArenaGet2(ulong size)
    {
        Arena? fromFreeList = GetFreeList();
        if (fromFreeList is not null)
        {
            _threadArena = fromFreeList;
            return fromFreeList;
        }

        if (_narenasLimit == 0)
        {
            if (_arenaMax != 0)
            {
                _narenasLimit = (ulong)_arenaMax;
            }
            else if (_narenas > _arenaTest)
            {
                _narenasLimit = 8UL * (ulong)_options.ProcessorCount;
            }
        }

        Arena? a = null;
        if ((ulong)_narenas <= _narenasLimit - 1)
        {
            _narenas++;
            a = IntNewArena(size);
            if (a == null)
            {
                _narenas--;
            }
        }

        a ??= ReusedArena();
        _threadArena = a;
        return a;
    }

    private Arena ReusedArena()
    {
        Arena result = _nextToUse ?? _main;
        DetachArena(_threadArena);
        RemoveFromFreeList(result);
        result.AttachedThreads++;
        _nextToUse = result.Next ?? _main;
        return result;
    }

    private Arena? IntNewArena(ulong size)
    {
        ulong h = NewHeap(size + HeapInfoSize + MallocStateSize + 16, _topPad);
        if (h == 0)
        {
            h = NewHeap(HeapInfoSize + MallocStateSize + 16, _topPad);
            if (h == 0)
            {
                return null;
            }
        }

        ulong state = h + HeapInfoSize;
        var a = new Arena(_arenas.Count, state, contiguous: false);
        _arenas.Add(a);
        _arenaByState[state] = a;
        a.Heaps.Add(h);
        ChunkHeader.Store(_mem, h + HiArena, state);
        ulong hsize = ChunkHeader.Load(_mem, h + HiSize);
        a.SystemMem = hsize;
        a.MaxSystemMem = hsize;
        a.AttachedThreads = 1;
        ulong ptr = state + MallocStateSize;
        ulong misalign = (ptr + 16) & ChunkHeader.AlignMask;
        if (misalign > 0)
        {
            ptr += 16 - misalign;
        }

        a.Top = ptr;
        ChunkHeader.SetHead(_mem, ptr, (h + hsize - ptr) | ChunkHeader.PrevInUse);
        a.Next = _main.Next;
        _main.Next = a;
        return a;
    }

    /// <summary>new_heap / alloc_new_heap: returns the heap_info address or 0.</summary>
    private ulong NewHeap(ulong size, ulong topPad)
    {
        if (size + topPad < HeapMinSize)
        {
            size = HeapMinSize;
        }
        else if (size + topPad <= HeapMaxSize)
        {
            size += topPad;
        }
        else if (size > HeapMaxSize)
        {
            return 0;
        }
        else
        {
            size = HeapMaxSize;
        }

        size = AlignUpPage(size);
        const MapFlags flags = MapFlags.PrivateAnonymous | MapFlags.NoReserve;
        ulong p2 = 0;
        if (_alignedHeapArea != 0)
        {
            OsResult r = Sys.Mmap(_alignedHeapArea, HeapMaxSize, Protection.None, flags);
            _alignedHeapArea = 0;
            if (r.Succeeded)
            {
                p2 = r.Value;
                if ((p2 & (HeapMaxSize - 1)) != 0)
                {
                    Sys.Munmap(p2, HeapMaxSize);
                    p2 = 0;
                }
            }
        }

        if (p2 == 0)
        {
            OsResult r1 = Sys.Mmap(0, HeapMaxSize << 1, Protection.None, flags);
            if (r1.Succeeded)
            {
                ulong p1 = r1.Value;
                p2 = (p1 + (HeapMaxSize - 1)) & ~(HeapMaxSize - 1);
                ulong ul = p2 - p1;
                if (ul != 0)
                {
                    Sys.Munmap(p1, ul);
                }
                else
                {
                    _alignedHeapArea = p2 + HeapMaxSize;
                }

                Sys.Munmap(p2 + HeapMaxSize, HeapMaxSize - ul);
            }
            else
            {
                OsResult r2 = Sys.Mmap(0, HeapMaxSize, Protection.None, flags);
                if (!r2.Succeeded)
                {
                    return 0;
                }

                p2 = r2.Value;
                if ((p2 & (HeapMaxSize - 1)) != 0)
                {
                    Sys.Munmap(p2, HeapMaxSize);
                    return 0;
                }
            }
        }

        if (!Sys.Mprotect(p2, size, Protection.ReadWrite).Succeeded)
        {
            Sys.Munmap(p2, HeapMaxSize);
            return 0;
        }

        ChunkHeader.Store(_mem, p2 + HiSize, size);
        ChunkHeader.Store(_mem, p2 + HiMprotect, size);
        ChunkHeader.Store(_mem, p2 + HiPageSize, _pageSize);
        return p2;
    }

    /// <summary>grow_heap: 0 on success, negative on failure.</summary>
    private int GrowHeap(ulong h, ulong diff)
    {
        diff = AlignUpPage(diff);
        ulong newSize = ChunkHeader.Load(_mem, h + HiSize) + diff;
        if (newSize > HeapMaxSize)
        {
            return -1;
        }

        ulong mprotectSize = ChunkHeader.Load(_mem, h + HiMprotect);
        if (newSize > mprotectSize)
        {
            if (!Sys.Mprotect(h + mprotectSize, newSize - mprotectSize, Protection.ReadWrite).Succeeded)
            {
                return -2;
            }

            ChunkHeader.Store(_mem, h + HiMprotect, newSize);
        }

        ChunkHeader.Store(_mem, h + HiSize, newSize);
        return 0;
    }

    /// <summary>shrink_heap with vm.overcommit_memory != 2: madvise(MADV_DONTNEED) the tail.</summary>
    private int ShrinkHeap(ulong h, ulong diff)
    {
        long newSize = (long)ChunkHeader.Load(_mem, h + HiSize) - (long)diff;
        if (newSize < (long)HeapInfoSize)
        {
            return -1;
        }

        Sys.Madvise(h + (ulong)newSize, diff, MadviseAdvice.DontNeed);
        ChunkHeader.Store(_mem, h + HiSize, (ulong)newSize);
        return 0;
    }

    /// <summary>heap_trim: drops whole trailing heaps, then shrinks the top heap (no unsigned quirk here).</summary>
    private int HeapTrim(ulong heap, ulong pad)
    {
        Arena ar = _av;
        ulong topChunk = ar.Top;
        while (topChunk == heap + HeapInfoSize)
        {
            ulong prevHeap = ChunkHeader.Load(_mem, heap + HiPrev);
            ulong prevHeapSize = ChunkHeader.Load(_mem, prevHeap + HiSize);
            ulong prevSize = prevHeapSize - (ChunkHeader.MinSize - (2 * ChunkHeader.Word));
            ulong p = prevHeap + prevSize;
            ulong misalign = p & ChunkHeader.AlignMask;
            p = prevHeap + prevSize - misalign;
            ulong pprev = ChunkHeader.Prev(_mem, p);
            p -= pprev;
            ulong newSize = ChunkHeader.Size(_mem, p) + (ChunkHeader.MinSize - (2 * ChunkHeader.Word)) + misalign;
            bool pInUse = (ChunkHeader.Raw(_mem, p) & ChunkHeader.PrevInUse) != 0;
            if (!pInUse)
            {
                newSize += ChunkHeader.Prev(_mem, p);
            }

            if (newSize + (HeapMaxSize - prevHeapSize) < pad + ChunkHeader.MinSize + _pageSize)
            {
                break;
            }

            ar.SystemMem -= ChunkHeader.Load(_mem, heap + HiSize);
            if (heap + HeapMaxSize == _alignedHeapArea)
            {
                _alignedHeapArea = 0;
            }

            Sys.Munmap(heap, HeapMaxSize);
            ar.Heaps.Remove(heap);
            heap = prevHeap;
            if (!pInUse)
            {
                p -= ChunkHeader.Prev(_mem, p);
                UnlinkChunk(p);
            }

            ar.Top = topChunk = p;
            ChunkHeader.SetHead(_mem, topChunk, newSize | ChunkHeader.PrevInUse);
        }

        ulong topSize = ChunkHeader.Size(_mem, topChunk);
        if (topSize < _trimThreshold)
        {
            return 0;
        }

        long topArea = (long)topSize - (long)ChunkHeader.MinSize - 1;
        if (topArea < 0 || (ulong)topArea <= pad)
        {
            return 0;
        }

        ulong extra = ((ulong)topArea - pad) & ~(_pageSize - 1);
        if (extra == 0 || ShrinkHeap(heap, extra) != 0)
        {
            return 0;
        }

        ar.SystemMem -= extra;
        ChunkHeader.SetHead(_mem, topChunk, (topSize - extra) | ChunkHeader.PrevInUse);
        return 1;
    }

    /// <summary>sysmalloc's thread-arena branch: grow the top heap, else chain a new heap; false when both fail.</summary>
    private bool SysmallocThreadHeap(ulong nb, ulong oldTop, ulong oldSize)
    {
        Arena av = _av;
        ulong oldHeap = oldTop & ~(HeapMaxSize - 1);
        ulong oldHeapSize = ChunkHeader.Load(_mem, oldHeap + HiSize);
        if ((long)(ChunkHeader.MinSize + nb - oldSize) > 0 && GrowHeap(oldHeap, ChunkHeader.MinSize + nb - oldSize) == 0)
        {
            ulong grown = ChunkHeader.Load(_mem, oldHeap + HiSize);
            av.SystemMem += grown - oldHeapSize;
            ChunkHeader.SetHead(_mem, oldTop, (oldHeap + grown - oldTop) | ChunkHeader.PrevInUse);
            return true;
        }

        ulong heap = NewHeap(nb + ChunkHeader.MinSize + HeapInfoSize, _topPad);
        if (heap == 0)
        {
            return false;
        }

        ChunkHeader.Store(_mem, heap + HiArena, av.StateAddress);
        ChunkHeader.Store(_mem, heap + HiPrev, oldHeap);
        av.Heaps.Add(heap);
        ulong hsize = ChunkHeader.Load(_mem, heap + HiSize);
        av.SystemMem += hsize;
        av.Top = heap + HeapInfoSize;
        ChunkHeader.SetHead(_mem, av.Top, (hsize - HeapInfoSize) | ChunkHeader.PrevInUse);
        oldSize = (oldSize - ChunkHeader.MinSize) & ~ChunkHeader.AlignMask;
        ChunkHeader.SetHead(_mem, oldTop + oldSize + ChunkHeader.HeaderSize, ChunkHeader.PrevInUse);
        if (oldSize >= ChunkHeader.MinSize)
        {
            ChunkHeader.SetHead(_mem, oldTop + oldSize, ChunkHeader.HeaderSize | ChunkHeader.PrevInUse);
            ChunkHeader.SetFoot(_mem, oldTop + oldSize, ChunkHeader.HeaderSize);
            ChunkHeader.SetHead(_mem, oldTop, oldSize | ChunkHeader.PrevInUse | ChunkHeader.NonMainArena);
            IntFree(oldTop, true);
        }
        else
        {
            ChunkHeader.SetHead(_mem, oldTop, (oldSize + ChunkHeader.HeaderSize) | ChunkHeader.PrevInUse);
            ChunkHeader.SetFoot(_mem, oldTop, oldSize + ChunkHeader.HeaderSize);
        }

        return true;
    }
}
