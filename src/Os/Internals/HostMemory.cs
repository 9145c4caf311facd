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
    private static readonly nint s_mapFailed = -1;

    /// <summary>Maps <paramref name="bytes"/> of zero-filled host memory; returns 0 when the host refuses.</summary>
    public static nint Map(ulong bytes)
    {
        nint result = NativeMmap(0, (nuint)bytes, ProtReadWrite, MapPrivateAnonymousNoReserve, -1, 0);
        return result == s_mapFailed ? 0 : result;
    }

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
