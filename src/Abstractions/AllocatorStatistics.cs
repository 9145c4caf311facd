// Copyright (c) Allocators contributors. MIT License.

namespace Allocators;

/// <summary>
/// A snapshot of an allocator's counters (monotonic totals) and gauges (current and peak), plus its process.
/// Shape version <see cref="CurrentVersion"/>; increased on every backward-incompatible change of the JSON the CLI writes.
/// </summary>
public readonly record struct AllocatorStatistics
{
    /// <summary>The current shape version.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Gets the shape version of this snapshot.</summary>
    public int Version { get; init; }

    /// <summary>Gets the strategy name.</summary>
    public string Strategy { get; init; }

    /// <summary>Gets the number of successful allocating calls (malloc, calloc, memalign, and realloc of null) (count).</summary>
    public long Allocations { get; init; }

    /// <summary>Gets the number of blocks released by free or realloc(p, 0) (count).</summary>
    public long Frees { get; init; }

    /// <summary>Gets the number of successful realloc calls on a live block (count).</summary>
    public long Reallocations { get; init; }

    /// <summary>Gets the number of allocating calls that returned 0 (count).</summary>
    public long FailedAllocations { get; init; }

    /// <summary>Gets the reason of the most recent failed allocation.</summary>
    public AllocationFailure LastFailure { get; init; }

    /// <summary>Gets the number of live blocks (count).</summary>
    public long LiveBlocks { get; init; }

    /// <summary>Gets the bytes in live blocks at block granularity, headers and rounding included (bytes).</summary>
    public ulong AllocatedBytes { get; init; }

    /// <summary>Gets the peak of <see cref="AllocatedBytes"/> (bytes).</summary>
    public ulong PeakAllocatedBytes { get; init; }

    /// <summary>Gets the bytes the allocator holds from the OS (heap, regions, slabs, mappings) (bytes).</summary>
    public ulong HeldBytes { get; init; }

    /// <summary>Gets the free bytes the allocator holds and could hand out without asking the OS (bytes).</summary>
    public ulong FreeBytes { get; init; }

    /// <summary>Gets the largest block that could be handed out without asking the OS (bytes).</summary>
    public ulong LargestFreeBlock { get; init; }

    /// <summary>Gets the process counters: RSS, VSZ, page faults, system calls.</summary>
    public OsStatistics Os { get; init; }

    /// <summary>Gets the external fragmentation: 1 − largest free block / free bytes (0 when nothing is free).</summary>
    public double ExternalFragmentation => FreeBytes == 0 ? 0 : 1.0 - ((double)LargestFreeBlock / FreeBytes);
}
