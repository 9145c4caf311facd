// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Buffers;

namespace Allocators.Hosting;

/// <summary>A <see cref="MemoryPool{T}"/> renting blocks of an <see cref="IAllocator"/> (see <see cref="AllocatorMemoryPoolExtensions.AsMemoryPool"/>).</summary>
internal sealed class AllocatorMemoryPool : MemoryPool<byte>
{
    internal const int DefaultBufferSize = 4096;

    private readonly IAllocator _allocator;
    private volatile bool _disposed;

    public AllocatorMemoryPool(IAllocator allocator) => _allocator = allocator;

    public override int MaxBufferSize => Array.MaxLength;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (minBufferSize < -1 || minBufferSize > MaxBufferSize)
        {
            throw new ArgumentOutOfRangeException(nameof(minBufferSize), minBufferSize, $"Rent: the size must be -1 (default) or from 0 to {MaxBufferSize}.");
        }

        int size = minBufferSize == -1 ? DefaultBufferSize : minBufferSize;
        ulong address = _allocator.Allocate((ulong)size);
        if (address == 0)
        {
            AllocationFailure reason = _allocator.GetStatistics().LastFailure;
            throw new OutOfMemoryException($"Rent: the {_allocator.Name} allocator could not allocate {size} bytes ({reason}).");
        }

        return new AllocatorMemoryOwner(_allocator, address, size);
    }

    protected override void Dispose(bool disposing) => _disposed = true;
}
