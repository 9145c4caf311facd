// Copyright (c) Allocators contributors. MIT License.

using System.Runtime.CompilerServices;

namespace Allocators.Benchmarks.Infrastructure;

/// <summary>The baseline side: the real glibc of this process through <see cref="LibC"/>.</summary>
public readonly struct NativeHeap : IHeapCalls
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Malloc(ulong size) => LibC.Malloc((nuint)size);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Calloc(ulong count, ulong size) => LibC.Calloc((nuint)count, (nuint)size);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Realloc(ulong address, ulong size) => LibC.Realloc((nuint)address, (nuint)size);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Memalign(ulong alignment, ulong size) => LibC.Memalign((nuint)alignment, (nuint)size);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(ulong address) => LibC.Free((nuint)address);
}
