// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Benchmarks.Infrastructure;

/// <summary>
/// The five C allocation calls, implemented by a struct per side (<see cref="SimulatedHeap"/>, <see cref="NativeHeap"/>)
/// so that <see cref="SequenceRunner.Run{THeap}"/> is compiled once per side with the calls bound statically:
/// both sides execute the identical loop.
/// </summary>
public interface IHeapCalls
{
    /// <summary>malloc.</summary>
    ulong Malloc(ulong size);

    /// <summary>calloc.</summary>
    ulong Calloc(ulong count, ulong size);

    /// <summary>realloc.</summary>
    ulong Realloc(ulong address, ulong size);

    /// <summary>memalign.</summary>
    ulong Memalign(ulong alignment, ulong size);

    /// <summary>free.</summary>
    void Free(ulong address);
}
