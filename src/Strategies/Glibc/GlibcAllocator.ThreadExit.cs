// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Generic;

namespace Allocators.Strategies.Glibc;

/// <summary>
/// Thread exit (spec §19): __malloc_arena_thread_freeres — tcache_thread_shutdown, then the arena is detached and goes
/// on the arena free list when no thread is attached any more — and get_free_list, through which arena_get2 hands a
/// new thread an arena of a thread that has exited before it makes a new one.
/// </summary>
public sealed partial class GlibcAllocator : IThreadAwareAllocator
{
    /// <summary>free_list: arenas with no attached thread, the most recently freed last (it is taken first).</summary>
    private readonly List<Arena> _freeArenas = new();

    /// <inheritdoc/>
    public void ThreadExit(int threadId)
    {
        using (EnterLock())
        {
            _op = OpThreadExit;
            if (!_haveMainThread)
            {
                return; // nothing was ever allocated: no thread has a tcache or an arena
            }

            if (threadId != _currentTid)
            {
                SwitchThread(threadId);
            }

            try
            {
                TcacheThreadShutdown();
                ArenaThreadFreeres();
                _threads[threadId] = (0, null); // the id is free: a later call with it is a new thread
                AfterCall();
            }
            catch (SegmentationFaultException e)
            {
                throw Segv(e, 0);
            }
        }
    }

    /// <summary>
    /// tcache_thread_shutdown: the tcache is disabled, every cached chunk is freed bin by bin (0..63, each bin from
    /// its head), then the tcache_perthread_struct itself — all through free with no tcache, so each goes to its
    /// arena's fastbins or unsorted bin (or back to the OS when mmapped).
    /// </summary>
    private void TcacheThreadShutdown()
    {
        ulong tcache = _tcache;
        if (tcache == 0)
        {
            return;
        }

        _tcache = 0;
        for (ulong i = 0; i < TcacheMaxBins; i++)
        {
            ulong slot = tcache + TcacheEntriesOffset + (i * 8);
            for (ulong e = ChunkHeader.Load(_mem, slot); e != 0; e = ChunkHeader.Load(_mem, slot))
            {
                if (!ChunkHeader.Aligned(e))
                {
                    Corrupt("tcache_thread_shutdown(): unaligned tcache chunk detected", e);
                }

                ChunkHeader.Store(_mem, slot, ChunkHeader.Protect(e, ChunkHeader.Load(_mem, e)));
                FreeWithoutTcache(e);
            }
        }

        FreeWithoutTcache(tcache);
    }

    /// <summary>__libc_free while the thread's tcache is shut down (MAYBE_INIT_TCACHE does nothing then).</summary>
    private void FreeWithoutTcache(ulong mem)
    {
        ulong p = mem - ChunkHeader.HeaderSize;
        ulong raw = ChunkHeader.Raw(_mem, p);
        if ((raw & ChunkHeader.IsMmapped) != 0)
        {
            FreeInternal(mem, raw); // munmap_chunk, with the dynamic threshold update; never touches the tcache
            return;
        }

        ArenaForChunk(p, raw);
        IntFree(p, false, raw);
    }

    /// <summary>The second half of __malloc_arena_thread_freeres: detach the arena; the last thread out frees it.</summary>
    private void ArenaThreadFreeres()
    {
        Arena? a = _threadArena;
        _threadArena = null;
        if (a is null)
        {
            return;
        }

        a.AttachedThreads--;
        if (a.AttachedThreads == 0)
        {
            _freeArenas.Add(a);
        }
    }

    /// <summary>get_free_list: the arena freed last, attached to the calling thread; null when the list is empty.</summary>
    private Arena? GetFreeList()
    {
        if (_freeArenas.Count == 0)
        {
            return null;
        }

        Arena a = _freeArenas[^1];
        _freeArenas.RemoveAt(_freeArenas.Count - 1);
        a.AttachedThreads = 1;
        DetachArena(_threadArena);
        return a;
    }

    /// <summary>detach_arena: the thread stops counting against <paramref name="replaced"/>.</summary>
    private static void DetachArena(Arena? replaced)
    {
        if (replaced is not null)
        {
            replaced.AttachedThreads--;
        }
    }

    /// <summary>remove_from_free_list: reused_arena may pick an arena that is on the free list.</summary>
    private void RemoveFromFreeList(Arena a) => _freeArenas.Remove(a);
}
