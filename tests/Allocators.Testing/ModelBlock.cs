// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Testing;

/// <summary>A live block of the reference model: where it is, what was asked for, and the seed of the pattern written into it.</summary>
/// <param name="Address">The block address.</param>
/// <param name="Size">The requested size.</param>
/// <param name="Alignment">The alignment asked for (16 when none).</param>
/// <param name="Seed">The pattern seed.</param>
public readonly record struct ModelBlock(ulong Address, ulong Size, ulong Alignment, byte Seed);
