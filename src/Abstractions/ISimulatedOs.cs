// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;

namespace Allocators;

/// <summary>
/// The simulated Linux x86-64 process every strategy obtains memory from: the program break, anonymous private
/// mappings, demand paging and the memory contents. System calls follow Linux semantics and return values; memory
/// accesses to unmapped or protected pages throw <see cref="SegmentationFaultException"/>. Safe for concurrent use.
/// </summary>
public interface ISimulatedOs
{
    /// <summary>Gets the page size in bytes (4096 by default).</summary>
    int PageSize { get; }

    /// <summary>Gets the initial program break (start_brk).</summary>
    ulong InitialBreak { get; }

    /// <summary>Gets the current program break without making a system call.</summary>
    ulong CurrentBreak { get; }

    /// <summary>
    /// brk(2): sets the program break to <paramref name="address"/>. Returns the new break on success and the
    /// unchanged break on failure (or when <paramref name="address"/> is 0, which is a query). Growth is limited
    /// by RLIMIT_DATA, RLIMIT_AS and any mapping in the way; shrinking unmaps whole pages.
    /// </summary>
    ulong Brk(ulong address);

    /// <summary>mmap(2) of anonymous memory (fd −1, offset 0): a page-rounded mapping, placed top-down below the mmap base unless a hint or <see cref="MapFlags.Fixed"/> says otherwise.</summary>
    OsResult Mmap(ulong address, ulong length, Protection protection, MapFlags flags);

    /// <summary>munmap(2): removes every page of the range, splitting mappings at the edges. Unmapped holes are not an error.</summary>
    OsResult Munmap(ulong address, ulong length);

    /// <summary>mremap(2): grows or shrinks a mapping, in place when there is room, else moved when <see cref="MremapFlags.MayMove"/>.</summary>
    OsResult Mremap(ulong oldAddress, ulong oldLength, ulong newLength, MremapFlags flags, ulong newAddress = 0);

    /// <summary>mprotect(2): changes the protection of a range of mapped pages, splitting mappings at the edges.</summary>
    OsResult Mprotect(ulong address, ulong length, Protection protection);

    /// <summary>madvise(2); <see cref="MadviseAdvice.DontNeed"/> drops the pages so the next touch faults in zeroes.</summary>
    OsResult Madvise(ulong address, ulong length, MadviseAdvice advice);

    /// <summary>Reads a byte (faulting the page in on first touch).</summary>
    byte ReadByte(ulong address);

    /// <summary>Writes a byte.</summary>
    void WriteByte(ulong address, byte value);

    /// <summary>Reads a little-endian 64-bit word.</summary>
    ulong ReadUInt64(ulong address);

    /// <summary>Writes a little-endian 64-bit word.</summary>
    void WriteUInt64(ulong address, ulong value);

    /// <summary>Reads <paramref name="destination"/>.Length bytes starting at <paramref name="address"/>.</summary>
    void Read(ulong address, Span<byte> destination);

    /// <summary>Writes <paramref name="source"/> starting at <paramref name="address"/>.</summary>
    void Write(ulong address, ReadOnlySpan<byte> source);

    /// <summary>memset: fills <paramref name="length"/> bytes with <paramref name="value"/>.</summary>
    void Fill(ulong address, ulong length, byte value);

    /// <summary>memmove: copies <paramref name="length"/> bytes; the ranges may overlap.</summary>
    void Copy(ulong destination, ulong source, ulong length);

    /// <summary>Tests whether every page of the range is mapped with at least <paramref name="protection"/>, without touching it.</summary>
    bool IsAccessible(ulong address, ulong length, Protection protection);

    /// <summary>
    /// Returns a span over simulated memory that reads and writes it directly, faulting every page of it in.
    /// </summary>
    /// <remarks>
    /// Dangerous: the span is valid only while the range stays mapped; after munmap, mremap or a break shrink it
    /// refers to host memory the process no longer owns. The range must lie inside one mapping and be writable.
    /// </remarks>
    Span<byte> DangerousGetSpan(ulong address, int length);

    /// <summary>Gets a snapshot of RSS, VSZ, faults and system-call counts.</summary>
    OsStatistics GetStatistics();

    /// <summary>Gets the mappings in address order, like /proc/self/maps (the heap included).</summary>
    IReadOnlyList<MappingInfo> GetMappings();

    /// <summary>
    /// Gets or sets an observer called after every system call (strace). Null by default; when null the log costs nothing.
    /// </summary>
    Action<SyscallRecord>? SyscallObserver { get; set; }
}
