// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Buffers;

namespace Allocators.Hosting;

/// <summary>Adapts an <see cref="IAllocator"/> to <see cref="MemoryPool{T}"/>.</summary>
public static class AllocatorMemoryPoolExtensions
{
    /// <summary>
    /// Returns a <see cref="MemoryPool{T}"/> whose <see cref="MemoryPool{T}.Rent"/> allocates a block from
    /// <paramref name="allocator"/> and hands it out as an <see cref="IMemoryOwner{T}"/>: its
    /// <see cref="IMemoryOwner{T}.Memory"/> reads and writes the block's simulated memory directly, and disposing the
    /// owner frees the block. Any use of the owner's memory after it is disposed throws <see cref="ObjectDisposedException"/>.
    /// </summary>
    /// <param name="allocator">The allocator to rent blocks from.</param>
    /// <returns>A pool over <paramref name="allocator"/>; disposing the pool only stops further rents.</returns>
    /// <remarks>
    /// <c>Rent(-1)</c> rents 4096 bytes; <c>Rent(n)</c> rents exactly <c>n</c> bytes (the memory's length). When the
    /// allocator returns 0, <c>Rent</c> throws <see cref="OutOfMemoryException"/> naming the allocator and the reason,
    /// since a pool has no failure value. A block is freed only by disposing its owner: an owner dropped without
    /// disposal leaks its block, as an unfreed malloc does.
    /// </remarks>
    public static MemoryPool<byte> AsMemoryPool(this IAllocator allocator)
    {
        ArgumentNullException.ThrowIfNull(allocator);
        return new AllocatorMemoryPool(allocator);
    }
}
