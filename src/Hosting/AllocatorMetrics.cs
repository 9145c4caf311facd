// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Hosting;

/// <summary>
/// The names of the meter, instruments and tags the hosting layer publishes for every allocator it creates
/// (observable instruments reading <see cref="IAllocator.GetStatistics"/> when a listener collects).
/// </summary>
/// <remarks>
/// The meter comes from <c>IMeterFactory</c> when the container has one (a Generic Host has), else it is created and
/// owned by the container. Every measurement carries <see cref="NameTag"/> and <see cref="StrategyTag"/>; the system
/// call counter also carries <see cref="SyscallTag"/>.
/// </remarks>
public static class AllocatorMetrics
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "Allocators";

    /// <summary>Tag: the allocator name (the key of a keyed allocator, <c>default</c> for the unkeyed one).</summary>
    public const string NameTag = "allocator.name";

    /// <summary>Tag: the strategy (<c>glibc</c>, <c>buddy</c>, <c>slab</c>, <c>mmap</c>).</summary>
    public const string StrategyTag = "allocator.strategy";

    /// <summary>Tag of <see cref="Syscalls"/>: the system call (<c>brk</c>, <c>mmap</c>, <c>munmap</c>, <c>mremap</c>, <c>mprotect</c>, <c>madvise</c>).</summary>
    public const string SyscallTag = "syscall";

    /// <summary>Up-down counter (bytes): bytes in live blocks, at block granularity.</summary>
    public const string LiveBytes = "allocator.live_bytes";

    /// <summary>Up-down counter (blocks): live blocks.</summary>
    public const string LiveBlocks = "allocator.live_blocks";

    /// <summary>Up-down counter (bytes): the resident set of the allocator's simulated process.</summary>
    public const string Rss = "allocator.rss";

    /// <summary>Up-down counter (bytes): the virtual size of the allocator's simulated process.</summary>
    public const string Vsz = "allocator.vsz";

    /// <summary>Counter (faults): page faults of the simulated process.</summary>
    public const string PageFaults = "allocator.page_faults";

    /// <summary>Counter (calls): system calls of the simulated process, by <see cref="SyscallTag"/>.</summary>
    public const string Syscalls = "allocator.syscalls";

    /// <summary>Counter (calls): successful allocating calls.</summary>
    public const string Allocations = "allocator.allocations";

    /// <summary>Counter (calls): blocks released.</summary>
    public const string Frees = "allocator.frees";

    /// <summary>Counter (calls): allocating calls that returned 0.</summary>
    public const string FailedAllocations = "allocator.failed_allocations";
}
