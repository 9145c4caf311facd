// Copyright (c) Allocators contributors. MIT License.

using System.Runtime.CompilerServices;

namespace Allocators.Strategies.Glibc;

/// <summary>
/// The per-thread tcache. Its tcache_perthread_struct lives in simulated memory, in a 0x290 chunk:
/// <c>uint16 counts[64]</c> at U+0 and <c>tcache_entry *entries[64]</c> (user pointers) at U+128.
/// Each entry's <c>next</c> (U+0, safe-linked) and <c>key</c> (U+8 = tcache_key) are in the cached chunk.
/// </summary>
public sealed partial class GlibcAllocator
{
    private const ulong TcacheEntriesOffset = 128;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong TcacheCountAt(ulong idx) => TcacheCountAt(TcacheHost(), idx);

    /// <summary>counts[idx] with the struct's host address <paramref name="host"/> already taken (0: through the window).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong TcacheCountAt(nint host, ulong idx) => host != 0 ? HostCount(host, idx) : TcacheCountAtWindow(idx);

    /// <summary>counts[idx] read through the window (the struct's host address is not known).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong TcacheCountAtWindow(ulong idx)
    {
        ulong a = _tcache + (idx * 2);
        ulong word = ChunkHeader.Load(_mem, a & ~7UL);
        return (word >> (int)((a & 7) * 8)) & 0xffff;
    }

    /// <summary>counts[idx] += delta (mod 2^16) with one read and one write of the word holding the count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AddTcacheCountAt(ulong idx, ulong delta)
    {
        ulong a = _tcache + (idx * 2);
        ulong wa = a & ~7UL;
        int shift = (int)((a & 7) * 8);
        ulong word = ChunkHeader.Load(_mem, wa);
        ulong value = ((word >> shift) + delta) & 0xffff;
        word = (word & ~(0xffffUL << shift)) | (value << shift);
        ChunkHeader.Store(_mem, wa, word);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong TcacheEntryAt(ulong idx) => ChunkHeader.Load(_mem, _tcache + TcacheEntriesOffset + (idx * 8));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SetTcacheEntryAt(ulong idx, ulong e) => ChunkHeader.Store(_mem, _tcache + TcacheEntriesOffset + (idx * 8), e);

    /// <summary>tcache_put: pushes chunk <paramref name="c"/> at the head of bin <paramref name="idx"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void TcachePut(ulong c, ulong idx)
    {
        nint host = TcacheHost();
        TcachePutAt(host, c, idx, host != 0 ? _mem.HeapHostOf(c + 16, 16) : 0);
    }

    /// <summary>
    /// tcache_put with the struct's host address <paramref name="host"/> already taken (0: through the window) and the host
    /// address of the chunk's next and key words (C+16, C+24) as <paramref name="words"/> (0: not direct), both taken since
    /// the allocator last called the process.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void TcachePutAt(nint host, ulong c, ulong idx, nint words)
    {
        if (host != 0)
        {
            TcachePutHost(host, c, idx, words);
        }
        else
        {
            TcachePutWindow(c, idx);
        }
    }

    /// <summary>tcache_put through the window (the struct's host address is not known).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void TcachePutWindow(ulong c, ulong idx)
    {
        ulong e = c + 16;
        ChunkHeader.Store(_mem, e, ChunkHeader.Protect(e, TcacheEntryAt(idx)));
        ChunkHeader.Store(_mem, e + 8, _tcacheKey);
        SetTcacheEntryAt(idx, e);
        AddTcacheCountAt(idx, 1);
    }

    /// <summary>tcache_get: pops the head of bin <paramref name="idx"/>; returns the user pointer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong TcacheGet(ulong idx)
    {
        nint host = TcacheHost();
        if (host != 0)
        {
            return TcacheGetHost(host, idx);
        }

        ulong e = TcacheEntryAt(idx);
        if (!ChunkHeader.Aligned(e))
        {
            Corrupt("malloc(): unaligned tcache chunk detected", e);
        }

        SetTcacheEntryAt(idx, ChunkHeader.Protect(e, ChunkHeader.Load(_mem, e)));
        AddTcacheCountAt(idx, ulong.MaxValue);
        ChunkHeader.Store(_mem, e + 8, 0);
        return e;
    }

    /// <summary>
    /// tcache_get when the caller has just read the word holding counts[idx] as <paramref name="countWord"/> (the count,
    /// non-zero, at bit <paramref name="shift"/>): nothing tcache_get writes before the decrement can change that word
    /// (the entries array follows the counts), so the decrement stores the word minus one count.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong TcacheGet(ulong idx, ulong countWord, int shift)
    {
        ulong e = TcacheEntryAt(idx);
        if (!ChunkHeader.Aligned(e))
        {
            Corrupt("malloc(): unaligned tcache chunk detected", e);
        }

        SetTcacheEntryAt(idx, ChunkHeader.Protect(e, ChunkHeader.Load(_mem, e)));
        ChunkHeader.Store(_mem, (_tcache + (idx * 2)) & ~7UL, countWord - (1UL << shift));
        ChunkHeader.Store(_mem, e + 8, 0);
        return e;
    }

    /// <summary>tcache_init: allocates the 0x290 structure with tcache still NULL, then zeroes it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void TcacheInit()
    {
        ArenaGet(TcacheStructSize);
        ulong victim = IntMalloc(TcacheStructSize);
        if (victim != 0)
        {
            _tcache = victim;
            _os.Fill(victim, TcacheStructSize, 0);
        }
    }

    /// <summary>The free-time double-free walk (only when the key matches); throws glibc's messages.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void TcacheDoubleFreeCheck(ulong e, ulong idx)
    {
        ulong cnt = 0;
        for (ulong tmp = TcacheEntryAt(idx); tmp != 0; tmp = ChunkHeader.Protect(tmp, ChunkHeader.Load(_mem, tmp)), cnt++)
        {
            if (cnt >= _tcacheCount)
            {
                Corrupt("free(): too many chunks detected in tcache", e);
            }

            if (!ChunkHeader.Aligned(tmp))
            {
                Corrupt("free(): unaligned chunk detected in tcache 2", e);
            }

            if (tmp == e)
            {
                Corrupt("free(): double free detected in tcache 2", e);
            }
        }
    }
}
