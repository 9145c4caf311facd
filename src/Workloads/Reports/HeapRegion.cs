// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Generic;

namespace Allocators.Workloads.Reports;

/// <summary>A run of address-contiguous heap blocks (the brk heap, one mapping, one buddy region…).</summary>
/// <param name="Start">The first byte.</param>
/// <param name="End">One past the last byte.</param>
/// <param name="Blocks">The blocks, in address order.</param>
public sealed record HeapRegion(ulong Start, ulong End, IReadOnlyList<HeapBlock> Blocks)
{
    /// <summary>The region's size in bytes.</summary>
    public ulong Size => End - Start;
}
