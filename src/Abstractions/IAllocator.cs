// Copyright (c) Allocators contributors. MIT License.

namespace Allocators;

/// <summary>
/// A memory allocator running inside a simulated Linux process (<see cref="ISimulatedOs"/>).
/// The calls mirror the C library: malloc, free, realloc, calloc, memalign, malloc_usable_size, malloc_trim.
/// </summary>
/// <remarks>
/// Addresses are simulated virtual addresses; 0 is the null pointer. A request that cannot be satisfied
/// (out of memory, an OS refusal, an impossible size or alignment) returns 0, never throws, and is counted in
/// <see cref="AllocatorStatistics.FailedAllocations"/> with its reason in <see cref="AllocatorStatistics.LastFailure"/>.
/// Misuse (a double free, a pointer the allocator never returned, corrupted metadata) throws
/// <see cref="HeapCorruptionException"/> or <see cref="AllocatorArgumentException"/>, and leaves the allocator consistent.
/// Every implementation is safe for concurrent use. The calling simulated thread is <see cref="SimulatedThread.CurrentId"/>.
/// </remarks>
public interface IAllocator
{
    /// <summary>Gets the strategy name: <c>glibc</c>, <c>buddy</c>, <c>slab</c> or <c>mmap</c>.</summary>
    string Name { get; }

    /// <summary>Gets the simulated process this allocator obtains its memory from.</summary>
    ISimulatedOs Os { get; }

    /// <summary>malloc: allocates at least <paramref name="size"/> bytes aligned to 16. Returns 0 on failure.</summary>
    ulong Allocate(ulong size);

    /// <summary>free: releases a block. Freeing 0 does nothing.</summary>
    void Free(ulong address);

    /// <summary>
    /// realloc: resizes a block, moving it (and its contents) when needed. <paramref name="address"/> 0 allocates;
    /// <paramref name="size"/> 0 frees and returns 0. On failure returns 0 and leaves the old block untouched.
    /// </summary>
    ulong Reallocate(ulong address, ulong size);

    /// <summary>calloc: allocates <paramref name="count"/> × <paramref name="size"/> zeroed bytes; 0 on overflow or failure.</summary>
    ulong AllocateZeroed(ulong count, ulong size);

    /// <summary>memalign / aligned_alloc: allocates <paramref name="size"/> bytes aligned to <paramref name="alignment"/>.</summary>
    ulong AllocateAligned(ulong alignment, ulong size);

    /// <summary>malloc_usable_size: the bytes usable in the block at <paramref name="address"/> (0 for 0).</summary>
    ulong UsableSize(ulong address);

    /// <summary>malloc_trim: returns free memory to the OS, keeping <paramref name="pad"/> bytes; true when anything was released.</summary>
    bool Trim(ulong pad);

    /// <summary>Gets a snapshot of the counters and gauges of this allocator and its process.</summary>
    AllocatorStatistics GetStatistics();

    /// <summary>Runs the strategy's invariant checker and returns every failure found.</summary>
    HeapCheckResult CheckHeap(HeapCheckLevel level);
}
