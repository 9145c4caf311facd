// Copyright (c) Allocators contributors. MIT License.

namespace Allocators;

/// <summary>One block of a heap walk.</summary>
/// <param name="Address">The first byte of the block (for glibc, the chunk header).</param>
/// <param name="Size">The block size in bytes.</param>
/// <param name="Kind">What the block is.</param>
/// <param name="Detail">Where a free block sits (for example <c>tcache 0x20</c>, <c>fastbin 0x30</c>, <c>order 5</c>, <c>slab kmalloc-64</c>).</param>
public readonly record struct HeapBlock(ulong Address, ulong Size, HeapBlockKind Kind, string Detail);
