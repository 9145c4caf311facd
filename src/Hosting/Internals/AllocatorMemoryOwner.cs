// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace Allocators.Hosting;

/// <summary>
/// One rented block as an <see cref="IMemoryOwner{T}"/>: a <see cref="MemoryManager{T}"/> whose span is the block's
/// simulated memory (<see cref="ISimulatedOs.DangerousGetSpan"/>). Disposing frees the block; any later use throws
/// <see cref="ObjectDisposedException"/>.
/// </summary>
/// <remarks>
/// The span handed out is valid while the block is live: the pool never reallocates a block, so its pages stay mapped
/// at the same host address until <see cref="Dispose(bool)"/> frees it. A span or <see cref="MemoryHandle"/> obtained
/// before disposal and used after it reads memory the allocator may have reused: the same hazard as any pooled buffer.
/// </remarks>
internal sealed class AllocatorMemoryOwner : MemoryManager<byte>
{
    private readonly IAllocator _allocator;
    private readonly ulong _address;
    private readonly int _length;
    private int _disposed;

    public AllocatorMemoryOwner(IAllocator allocator, ulong address, int length)
    {
        _allocator = allocator;
        _address = address;
        _length = length;
    }

    /// <summary>Gets the simulated address of the block (for tests only).</summary>
    internal ulong Address => _address;

    /// <summary>Gets a value indicating whether the block has been freed.</summary>
    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    public override Memory<byte> Memory
    {
        get
        {
            ThrowIfDisposed();
            return CreateMemory(_length);
        }
    }

    public override Span<byte> GetSpan()
    {
        ThrowIfDisposed();
        return _length == 0 ? [] : _allocator.Os.DangerousGetSpan(_address, _length);
    }

    /// <summary>Pins nothing: simulated memory is native host memory that does not move while the block is live.</summary>
    public override unsafe MemoryHandle Pin(int elementIndex = 0)
    {
        ThrowIfDisposed();
        if ((uint)elementIndex > (uint)_length)
        {
            throw new ArgumentOutOfRangeException(nameof(elementIndex), elementIndex, $"Pin: the index must be from 0 to {_length}.");
        }

        Span<byte> span = GetSpan();
        return new MemoryHandle((byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(span)) + elementIndex);
    }

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _allocator.Free(_address);
        }
    }

    private void ThrowIfDisposed()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            ThrowDisposed();
        }
    }

    [DoesNotReturn]
    private void ThrowDisposed() => throw new ObjectDisposedException(nameof(AllocatorMemoryOwner), $"The block at 0x{_address:x} was returned to the {_allocator.Name} allocator.");
}
