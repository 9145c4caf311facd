// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads.Scenarios;

/// <summary>Where a returned block lives.</summary>
public enum PointerPlace
{
    /// <summary>No pointer (a free, touch or trim step, or a failed malloc).</summary>
    None,

    /// <summary>Inside the brk heap (between the initial break and the current break).</summary>
    Heap,

    /// <summary>In a mapping of its own (an mmapped chunk, or any block outside the brk heap).</summary>
    Mapped,
}
