// Copyright (c) Allocators contributors. MIT License.

using System.Runtime.CompilerServices;
using Allocators.Os;

namespace Allocators.Strategies.Glibc;

/// <summary>
/// The only code that knows where the words of a glibc chunk live. Every read and write of a chunk header,
/// a free-list link or a tcache entry goes through these helpers, which call the simulated OS.
/// </summary>
/// <remarks>
/// <code>
///  chunk C -> +-------------------------------------------+
///             | PREV  (prev_size: size of the previous     |  C+0   only meaningful when P == 0
///             |        chunk when that one is binned free) |
///             | SIZE  (size | A(0x4) | M(0x2) | P(0x1))    |  C+8
///  user U  -> +-------------------------------------------+  U = C+16
///             | fd            / tcache next (safe-linked)  |  C+16
///             | bk            / tcache key                 |  C+24
///             | fd_nextsize   (large bins only)            |  C+32
///             | bk_nextsize   (large bins only)            |  C+40
///             | ... user data ...                          |
///  next     ->+-------------------------------------------+  C+size: its PREV word is the foot of C
/// </code>
/// Safe-linking (tcache next, fastbin fd): the stored word is <c>(address_of_the_field &gt;&gt; 12) ^ target</c>.
/// </remarks>
internal static class ChunkHeader
{
    /// <summary>PREV_INUSE.</summary>
    public const ulong PrevInUse = 0x1;

    /// <summary>IS_MMAPPED.</summary>
    public const ulong IsMmapped = 0x2;

    /// <summary>NON_MAIN_ARENA.</summary>
    public const ulong NonMainArena = 0x4;

    /// <summary>All three flag bits (SIZE_BITS).</summary>
    public const ulong SizeBits = 0x7;

    /// <summary>CHUNK_HDR_SZ.</summary>
    public const ulong HeaderSize = 16;

    /// <summary>MINSIZE.</summary>
    public const ulong MinSize = 32;

    /// <summary>SIZE_SZ.</summary>
    public const ulong Word = 8;

    /// <summary>MALLOC_ALIGN_MASK.</summary>
    public const ulong AlignMask = 15;

    /// <summary>
    /// Reads a word of simulated memory through the allocator's <see cref="DirectAccessWindow"/>: straight from host
    /// memory inside its window of resident heap pages, else through the process (faults and RSS exactly as ever).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Load(DirectAccessWindow os, ulong address) => os.ReadHeapUInt64(address);

    /// <summary>Writes a word of simulated memory (see <see cref="Load"/> for the binding).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(DirectAccessWindow os, ulong address, ulong value) => os.WriteHeapUInt64(address, value);

    /// <summary>Reads the raw SIZE word (chunksize_nomask).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Raw(DirectAccessWindow os, ulong c) => Load(os, c + 8);

    /// <summary>Reads the chunk size without flag bits (chunksize).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Size(DirectAccessWindow os, ulong c) => Load(os, c + 8) & ~SizeBits;

    /// <summary>Writes the whole SIZE word (set_head).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetHead(DirectAccessWindow os, ulong c, ulong value) => Store(os, c + 8, value);

    /// <summary>Replaces the size and keeps the flag bits (set_head_size).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetHeadSize(DirectAccessWindow os, ulong c, ulong size) => Store(os, c + 8, (Load(os, c + 8) & SizeBits) | size);

    /// <summary>Reads the PREV word (prev_size).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Prev(DirectAccessWindow os, ulong c) => Load(os, c);

    /// <summary>Writes the PREV word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetPrev(DirectAccessWindow os, ulong c, ulong value) => Store(os, c, value);

    /// <summary>Writes the foot: the PREV word of the chunk at <c>c + size</c> (set_foot).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetFoot(DirectAccessWindow os, ulong c, ulong size) => Store(os, c + size, size);

    /// <summary>Tests the P bit of the chunk at <c>c + offset</c> (inuse_bit_at_offset).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool InUseAt(DirectAccessWindow os, ulong c, ulong offset) => (Load(os, c + offset + 8) & PrevInUse) != 0;

    /// <summary>Sets the P bit of the chunk at <c>c + offset</c> (set_inuse_bit_at_offset).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetInUseAt(DirectAccessWindow os, ulong c, ulong offset)
    {
        ulong a = c + offset + 8;
        Store(os, a, Load(os, a) | PrevInUse);
    }

    /// <summary>Clears the P bit of the chunk at <c>c + offset</c> (clear_inuse_bit_at_offset).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ClearInUseAt(DirectAccessWindow os, ulong c, ulong offset)
    {
        ulong a = c + offset + 8;
        Store(os, a, Load(os, a) & ~PrevInUse);
    }

    /// <summary>Reads fd (C+16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Fd(DirectAccessWindow os, ulong c) => Load(os, c + 16);

    /// <summary>Reads bk (C+24).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Bk(DirectAccessWindow os, ulong c) => Load(os, c + 24);

    /// <summary>Writes fd (C+16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetFd(DirectAccessWindow os, ulong c, ulong v) => Store(os, c + 16, v);

    /// <summary>Writes bk (C+24).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetBk(DirectAccessWindow os, ulong c, ulong v) => Store(os, c + 24, v);

    /// <summary>Reads fd_nextsize (C+32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong FdNext(DirectAccessWindow os, ulong c) => Load(os, c + 32);

    /// <summary>Reads bk_nextsize (C+40).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong BkNext(DirectAccessWindow os, ulong c) => Load(os, c + 40);

    /// <summary>Writes fd_nextsize (C+32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetFdNext(DirectAccessWindow os, ulong c, ulong v) => Store(os, c + 32, v);

    /// <summary>Writes bk_nextsize (C+40).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetBkNext(DirectAccessWindow os, ulong c, ulong v) => Store(os, c + 40, v);

    /// <summary>Safe-linking: the word stored at <paramref name="fieldAddress"/> to point at <paramref name="target"/> (PROTECT_PTR).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Protect(ulong fieldAddress, ulong target) => (fieldAddress >> 12) ^ target;

    /// <summary>request2size without the overflow check: the chunk size for a user request.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong RequestToSize(ulong request) => request + Word + AlignMask < MinSize ? MinSize : (request + Word + AlignMask) & ~AlignMask;

    /// <summary>checked_request2size: 0 when the request exceeds PTRDIFF_MAX.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong CheckedRequestToSize(ulong request) => request > long.MaxValue ? 0 : RequestToSize(request);

    /// <summary>csize2tidx: the tcache bin index of a chunk size.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong TcacheIndex(ulong chunkSize) => (chunkSize - MinSize + 15) / 16;

    /// <summary>fastbin_index: the size is cast to 32 bits before the shift, so a clobbered size with bits above 4 GiB indexes by its low word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int FastbinIndex(ulong chunkSize) => (int)(((uint)chunkSize >> 4) - 2);

    /// <summary>Whether a chunk size is in the small-bin range (below 0x400).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool InSmallbinRange(ulong chunkSize) => chunkSize < 0x400;

    /// <summary>smallbin_index.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SmallbinIndex(ulong chunkSize) => (int)(chunkSize >> 4);

    /// <summary>largebin_index for 64-bit.</summary>
    public static int LargebinIndex(ulong s)
    {
        if ((s >> 6) <= 48)
        {
            return 48 + (int)(s >> 6);
        }

        if ((s >> 9) <= 20)
        {
            return 91 + (int)(s >> 9);
        }

        if ((s >> 12) <= 10)
        {
            return 110 + (int)(s >> 12);
        }

        if ((s >> 15) <= 4)
        {
            return 119 + (int)(s >> 15);
        }

        if ((s >> 18) <= 2)
        {
            return 124 + (int)(s >> 18);
        }

        return 126;
    }

    /// <summary>bin_index: small or large.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int BinIndex(ulong s) => InSmallbinRange(s) ? SmallbinIndex(s) : LargebinIndex(s);

    /// <summary>Whether an address is 16-aligned (aligned_OK / !misaligned_chunk).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Aligned(ulong a) => (a & AlignMask) == 0;
}
