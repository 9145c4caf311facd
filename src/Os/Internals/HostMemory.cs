// Copyright (c) Allocators contributors. MIT License.

using System.Runtime.InteropServices;

namespace Allocators.Os.Internals;

/// <summary>
/// The host kernel's virtual memory (Linux libc): every simulated page is backed by a host page of a
/// MAP_NORESERVE anonymous mapping, which costs nothing until it is touched.
/// </summary>
internal static partial class HostMemory
{
    private const int ProtReadWrite = 0x1 | 0x2;
    private const int MapPrivateAnonymousNoReserve = 0x02 | 0x20 | 0x4000;
    private const int MadvDontNeed = 4;
    private const int MadvHugePage = 14;
    private static readonly nint s_mapFailed = -1;

    /// <summary>Maps <paramref name="bytes"/> of zero-filled host memory; returns 0 when the host refuses.</summary>
    public static nint Map(ulong bytes)
    {
        nint result = NativeMmap(0, (nuint)bytes, ProtReadWrite, MapPrivateAnonymousNoReserve, -1, 0);
        return result == s_mapFailed ? 0 : result;
    }

    /// <summary>The host's transparent huge page size on x86-64 (a PMD).</summary>
    public const ulong HugePageBytes = 2UL << 20;

    /// <summary>
    /// Maps <paramref name="bytes"/> of zero-filled host memory starting at a multiple of <paramref name="alignment"/>
    /// (a power of two): maps the slack too, then unmaps the parts before and after; returns 0 when the host refuses.
    /// </summary>
    public static nint MapAligned(ulong bytes, ulong alignment)
    {
        if (bytes > ulong.MaxValue - alignment)
        {
            return 0;
        }

        nint raw = Map(bytes + alignment);
        if (raw == 0)
        {
            return 0;
        }

        ulong start = ((ulong)raw + alignment - 1) & ~(alignment - 1);
        ulong head = start - (ulong)raw;
        if (head != 0)
        {
            Unmap(raw, head);
        }

        if (alignment - head != 0)
        {
            Unmap((nint)(start + bytes), alignment - head);
        }

        return (nint)start;
    }

    /// <summary>
    /// Asks the host to back [address, address + bytes) with transparent huge pages (madvise MADV_HUGEPAGE); a hint
    /// only, false when the host refuses (no THP support): the memory then stays in small pages, which changes nothing
    /// but speed.
    /// </summary>
    public static bool AdviseHugePages(nint address, ulong bytes) => NativeMadvise(address, (nuint)bytes, MadvHugePage) == 0;

    /// <summary>Unmaps host memory.</summary>
    public static void Unmap(nint address, ulong bytes) => _ = NativeMunmap(address, (nuint)bytes);

    /// <summary>Drops host pages: their physical memory is freed and they read as zeroes again.</summary>
    public static void Discard(nint address, ulong bytes) => _ = NativeMadvise(address, (nuint)bytes, MadvDontNeed);

    /// <summary>Tries to grow a host mapping in place (mremap without MREMAP_MAYMOVE).</summary>
    public static bool TryExtend(nint address, ulong oldBytes, ulong newBytes)
        => NativeMremap(address, (nuint)oldBytes, (nuint)newBytes, 0) == address;

    [LibraryImport("libc", EntryPoint = "mmap")]
    private static partial nint NativeMmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", EntryPoint = "munmap")]
    private static partial int NativeMunmap(nint address, nuint length);

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int NativeMadvise(nint address, nuint length, int advice);

    [LibraryImport("libc", EntryPoint = "mremap")]
    private static partial nint NativeMremap(nint oldAddress, nuint oldLength, nuint newLength, int flags);
}
