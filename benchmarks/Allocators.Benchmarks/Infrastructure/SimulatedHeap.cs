// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Runtime.CompilerServices;

namespace Allocators.Benchmarks.Infrastructure;

/// <summary>The simulated side: forwards each call to a strategy through <see cref="IAllocator"/>.</summary>
public readonly struct SimulatedHeap : IHeapCalls
{
    private readonly IAllocator _allocator;

    /// <summary>Wraps an allocator.</summary>
    public SimulatedHeap(IAllocator allocator)
    {
        ArgumentNullException.ThrowIfNull(allocator);
        _allocator = allocator;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Malloc(ulong size) => _allocator.Allocate(size);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Calloc(ulong count, ulong size) => _allocator.AllocateZeroed(count, size);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Realloc(ulong address, ulong size) => _allocator.Reallocate(address, size);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Memalign(ulong alignment, ulong size) => _allocator.AllocateAligned(alignment, size);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(ulong address) => _allocator.Free(address);
}
