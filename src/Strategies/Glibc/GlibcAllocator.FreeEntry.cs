// Copyright (c) Allocators contributors. MIT License.

using System.Runtime.CompilerServices;

namespace Allocators.Strategies.Glibc;

/// <content>
/// __libc_free's entry: the common frees (a main-arena chunk into its tcache bin or, the bin full, its fastbin) entirely
/// through host memory outside any protected region, and every other free in <see cref="FreeLocked"/>, which holds the
/// handler that turns a simulated SIGSEGV into the documented exception (a handler keeps the caller's locals on the stack).
/// </content>
public sealed partial class GlibcAllocator
{
    /// <summary>
    /// free of <paramref name="address"/> when its tcache part needs nothing but host memory: its SIZE, next and key words
    /// (C+8 to C+31) in one direct heap page, a main-arena heap chunk that passes _int_free's first checks, the running
    /// thread's tcache struct cached, no double-free suspicion (the key differs from tcache_key). Then either room in its
    /// tcache bin, or a fastbin size whose next SIZE word is direct and passes its check (no perturb, no fasttop double
    /// free): nothing here can fault, throw or call the process, and the lock is released before returning true; or a size
    /// above the fastbins: the normal path, through <see cref="FreeNormalLocked"/>, which releases the lock. The operation
    /// name (read only by errors) is stored only on that path. Returns false, having changed nothing and with the lock still
    /// held, for every other case (the caller has checked that the running thread is unchanged): then
    /// <see cref="FreeLocked"/> takes the call from the start, with every check and message of the full path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryFreeDirect(ulong address)
    {
        // A null address (address - 8 wraps to the top of the address space) never lies in a heap page.
        nint words = _mem.HeapHostOf(address - 8, 24);
        if (words == 0)
        {
            return false;
        }

        ulong raw = HostWord(words, 0);
        ulong size = raw & ~ChunkHeader.SizeBits;
        ulong p = address - 16;

        // A cached struct host implies a tcache, which implies ptmalloc_init ran (the slow path's initialization is not
        // needed); it is 0 when the full check runs after every call.
        nint host = CachedTcacheHost();
        if ((raw & (ChunkHeader.IsMmapped | ChunkHeader.NonMainArena)) != 0 || host == 0
            || p > (0UL - size) || !ChunkHeader.Aligned(p) || size < ChunkHeader.MinSize || !ChunkHeader.Aligned(size)
            || HostWord(words, 16) == _tcacheKey)
        {
            return false;
        }

        ulong tcIdx = ChunkHeader.TcacheIndex(size);
        if (tcIdx < _tcacheBins && HostCount(host, tcIdx) < _tcacheCount)
        {
            // tcache_put (arena_for_chunk of a main-arena chunk first: the arena of the running operation).
            UseMainArena();

            ref ulong entry = ref HostEntry(host, tcIdx);
            HostWord(words, 8) = ChunkHeader.Protect(address, entry);
            HostWord(words, 16) = _tcacheKey;
            entry = address;
            HostCount(host, tcIdx)++;
            CountFree(size);
            ExitLock();
            return true;
        }

        if (size > _globalMaxFast)
        {
            // _int_free's normal path (coalescing into the unsorted bin or top), straight from here.
            UseMainArena();

            FreeNormalLocked(p, size, raw);
            return true;
        }

        if (_perturb != 0)
        {
            return false;
        }

        // The fastbin: the next chunk's SIZE word checked as _int_free checks it, the fasttop double free left to the full path.
        nint next = _mem.HeapHostOf(p + size + 8, 8);
        if (next == 0)
        {
            return false;
        }

        ulong nextRaw = HostWord(next, 0);
        Arena main = _main;
        int idx = ChunkHeader.FastbinIndex(size);
        ulong[] fastbins = main.Fastbins;
        ulong old = fastbins[idx];
        if (nextRaw <= ChunkHeader.HeaderSize || (nextRaw & ~ChunkHeader.SizeBits) >= main.SystemMem || old == p)
        {
            return false;
        }

        UseMainArena();
        main.HaveFastChunks = true;
        HostWord(words, 8) = ChunkHeader.Protect(address, old);
        fastbins[idx] = p;
        CountFree(size);
        ExitLock();
        return true;
    }

    /// <summary>
    /// _int_free's normal path for chunk <paramref name="p"/> (SIZE word <paramref name="raw"/>, <paramref name="size"/> without
    /// flags) of the main arena, once <see cref="TryFreeDirect"/> has made every check before it, with the handler; counts
    /// the free and releases the lock.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void FreeNormalLocked(ulong p, ulong size, ulong raw)
    {
        try
        {
            _op = OpFree;
            FreeNormal(p, size, raw);
            CountFree(size);
        }
        catch (SegmentationFaultException e)
        {
            throw Segv(e, p + 16);
        }
        finally
        {
            ExitLock();
        }
    }

    /// <summary>
    /// __libc_free with the lock held, every path (a thread switch, a null pointer, the tcache through the window, _int_free,
    /// munmap); releases the lock.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void FreeLocked(ulong address)
    {
        try
        {
            Enter(OpFree);
            if (address == 0)
            {
                return;
            }

            // The SIZE, next and key words (C+8 to C+31) with one test of the window when they share a direct heap page.
            nint words = _mem.HeapHostOf(address - 8, 24);
            ulong raw = words != 0 ? HostWord(words, 0) : ChunkHeader.Raw(_mem, address - 16);
            ulong size = raw & ~ChunkHeader.SizeBits;
            if ((raw & ChunkHeader.IsMmapped) == 0 && _initialized && _tcache != 0)
            {
                // __libc_free of a heap chunk once malloc is set up, with _int_free's tcache part inlined.
                ulong p = address - 16;
                ArenaForChunk(p, raw);
                CheckFreedChunk(p, size);
                if (!TryTcacheFree(p, size, words))
                {
                    IntFreeAfterTcache(p, false, raw);
                }
            }
            else
            {
                FreeInternal(address, raw);
            }

            CountFree(size);
            AfterCall();
        }
        catch (SegmentationFaultException e)
        {
            throw Segv(e, address);
        }
        finally
        {
            ExitLock();
        }
    }

    /// <summary>arena_for_chunk of a main-arena chunk: the main arena becomes the running operation's (written only on a change).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void UseMainArena()
    {
        if (!ReferenceEquals(_av, _main))
        {
            _av = _main;
        }
    }
}
