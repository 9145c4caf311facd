// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Allocators.Os;

namespace Allocators.Strategies.Glibc;

/// <content>
/// Direct host access to the running thread's tcache_perthread_struct, the words every tcache hit reads and writes
/// (counts[idx], entries[idx]). The struct is an in-use 0x290 chunk that glibc never trims, madvises or unmaps while
/// the thread lives, so once its pages are direct pages of the <see cref="DirectAccessWindow"/> (resident, readable,
/// writable, inside one of the process's host reservations, which are never given back) its host address is cached
/// together with <see cref="SimulatedOs.AccessEpoch"/>. The cache is used only while the struct's address and the
/// epoch are unchanged: the process bumps the epoch, under its lock and before the change, whenever any page loses
/// residency, mapping or access rights, so a program that unmaps or protects the struct (or any other page) sends the
/// next call back through the window, which sees exactly what the process sees. The chunks themselves (next, key,
/// size words) are still reached through the window.
/// </content>
public sealed partial class GlibcAllocator
{
    /// <summary>The process when it is a <see cref="SimulatedOs"/> (which has an access epoch); null otherwise.</summary>
    private readonly SimulatedOs? _simOs;

    /// <summary>The tcache address <see cref="_tcacheHost"/> was computed for; 0 when none.</summary>
    private ulong _tcacheHostFor;

    /// <summary>The host address of the struct at <see cref="_tcacheHostFor"/>, or 0 when it is reached through the window.</summary>
    private nint _tcacheHost;

    /// <summary>The process's access epoch when <see cref="_tcacheHost"/> was computed.</summary>
    private long _tcacheHostEpoch;

    /// <summary><see cref="_tcacheHost"/>, or 0 when the check level is <see cref="HeapCheckLevel.Full"/> (the fast paths' copy).</summary>
    private nint _fastTcacheHost;

    /// <summary>Gets the host address of the running thread's tcache_perthread_struct (non-zero <see cref="_tcache"/>), or 0 to use the window.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private nint TcacheHost()
    {
        if (_tcacheHostFor == _tcache && _simOs is { } os && os.AccessEpoch == _tcacheHostEpoch)
        {
            return _tcacheHost;
        }

        return RefreshTcacheHost();
    }

    /// <summary>
    /// For the inline fast paths of malloc and free: the cached host address of the running thread's struct when still valid
    /// (never recomputed here), else 0; always 0 when the full check runs after every call (those paths skip it).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private nint CachedTcacheHost()
    {
        // Tested first: a non-zero value was only ever computed with a SimulatedOs (its epoch is then readable).
        nint host = _fastTcacheHost;
        return host != 0 && _tcacheHostFor == _tcache && _simOs!.AccessEpoch == _tcacheHostEpoch ? host : 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private nint RefreshTcacheHost()
    {
        if (_simOs is null || _tcache == 0)
        {
            return 0;
        }

        // The epoch first: a loss after this read bumps it, so the next call computes again.
        long epoch = _simOs.AccessEpoch;
        ulong a = _tcache;
        nint host = 0;
        if (_mem.IsDirect(a) && _mem.IsDirect(a + TcacheStructSize - ChunkHeader.Word))
        {
            Span<byte> span = _os.DangerousGetSpan(a, (int)TcacheStructSize);
            host = Unsafe.ByteOffset(ref Unsafe.NullRef<byte>(), ref MemoryMarshal.GetReference(span));
        }

        // A struct not direct yet is remembered as such until the epoch or the struct changes (the window serves it).
        _tcacheHostFor = a;
        _tcacheHost = host;
        _fastTcacheHost = _checkLevel == HeapCheckLevel.Full ? 0 : host;
        _tcacheHostEpoch = epoch;
        return host;
    }

    /// <summary>counts[<paramref name="idx"/>] of the struct at host address <paramref name="host"/> (idx below 64).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref ushort HostCount(nint host, ulong idx)
        => ref Unsafe.As<byte, ushort>(ref Unsafe.AddByteOffset(ref Unsafe.NullRef<byte>(), host + (nint)(idx * 2)));

    /// <summary>entries[<paramref name="idx"/>] of the struct at host address <paramref name="host"/> (idx below 64).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref ulong HostEntry(nint host, ulong idx)
        => ref Unsafe.As<byte, ulong>(ref Unsafe.AddByteOffset(ref Unsafe.NullRef<byte>(), host + (nint)(TcacheEntriesOffset + (idx * 8))));

    /// <summary>
    /// The word at <paramref name="offset"/> bytes from host address <paramref name="host"/> (a chunk's words reached through
    /// <see cref="DirectAccessWindow.HeapHostOf"/>, used before the allocator next calls the process).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref ulong HostWord(nint host, int offset)
        => ref Unsafe.As<byte, ulong>(ref Unsafe.AddByteOffset(ref Unsafe.NullRef<byte>(), host + offset));

    /// <summary>tcache_get through the host address: pops the head of bin <paramref name="idx"/> (count known non-zero).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong TcacheGetHost(nint host, ulong idx)
    {
        ref ulong entry = ref HostEntry(host, idx);
        ulong e = entry;
        if (!ChunkHeader.Aligned(e))
        {
            Corrupt("malloc(): unaligned tcache chunk detected", e);
        }

        // The entry's next and key words (e, e + 8) with one test of the window when both are in one direct heap page.
        nint words = _mem.HeapHostOf(e, 16);
        if (words != 0)
        {
            entry = ChunkHeader.Protect(e, HostWord(words, 0));
            HostCount(host, idx)--;
            HostWord(words, 8) = 0;
            return e;
        }

        entry = ChunkHeader.Protect(e, ChunkHeader.Load(_mem, e));
        HostCount(host, idx)--;
        ChunkHeader.Store(_mem, e + 8, 0);
        return e;
    }

    /// <summary>
    /// tcache_put through the host address: pushes chunk <paramref name="c"/> at the head of bin <paramref name="idx"/>, with
    /// the host address of the chunk's next and key words (C+16, C+24) known as
    /// <paramref name="words"/> (0: through the window).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void TcachePutHost(nint host, ulong c, ulong idx, nint words)
    {
        ulong e = c + 16;
        ref ulong entry = ref HostEntry(host, idx);
        if (words != 0)
        {
            HostWord(words, 0) = ChunkHeader.Protect(e, entry);
            HostWord(words, 8) = _tcacheKey;
        }
        else
        {
            ChunkHeader.Store(_mem, e, ChunkHeader.Protect(e, entry));
            ChunkHeader.Store(_mem, e + 8, _tcacheKey);
        }

        entry = e;
        HostCount(host, idx)++;
    }
}
