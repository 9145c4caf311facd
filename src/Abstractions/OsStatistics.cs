// Copyright (c) Allocators contributors. MIT License.

namespace Allocators;

/// <summary>A snapshot of the simulated process: memory gauges and system-call counters.</summary>
public readonly record struct OsStatistics
{
    /// <summary>Gets the resident set: touched pages still mapped (bytes).</summary>
    public ulong RssBytes { get; init; }

    /// <summary>Gets the peak of <see cref="RssBytes"/> (bytes).</summary>
    public ulong PeakRssBytes { get; init; }

    /// <summary>Gets the virtual size: every mapped byte, heap included (bytes).</summary>
    public ulong VszBytes { get; init; }

    /// <summary>Gets the peak of <see cref="VszBytes"/> (bytes).</summary>
    public ulong PeakVszBytes { get; init; }

    /// <summary>Gets the number of page faults: first touches of a page (count).</summary>
    public long PageFaults { get; init; }

    /// <summary>Gets the initial program break (address).</summary>
    public ulong BreakStart { get; init; }

    /// <summary>Gets the current program break (address).</summary>
    public ulong Break { get; init; }

    /// <summary>Gets the number of mappings (VMAs), the heap included (count).</summary>
    public int MapCount { get; init; }

    /// <summary>Gets the number of brk calls (count).</summary>
    public long Brk { get; init; }

    /// <summary>Gets the number of mmap calls (count).</summary>
    public long Mmap { get; init; }

    /// <summary>Gets the number of munmap calls (count).</summary>
    public long Munmap { get; init; }

    /// <summary>Gets the number of mremap calls (count).</summary>
    public long Mremap { get; init; }

    /// <summary>Gets the number of mprotect calls (count).</summary>
    public long Mprotect { get; init; }

    /// <summary>Gets the number of madvise calls (count).</summary>
    public long Madvise { get; init; }

    /// <summary>Gets the number of system calls that failed (count).</summary>
    public long FailedSyscalls { get; init; }

    /// <summary>Gets the total of all system calls (count).</summary>
    public long Syscalls => Brk + Mmap + Munmap + Mremap + Mprotect + Madvise;
}
