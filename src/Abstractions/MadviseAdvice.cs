// Copyright (c) Allocators contributors. MIT License.

namespace Allocators;

/// <summary>madvise advice values (MADV_*), with Linux's values.</summary>
public enum MadviseAdvice
{
    /// <summary>MADV_NORMAL.</summary>
    Normal = 0,

    /// <summary>MADV_RANDOM.</summary>
    Random = 1,

    /// <summary>MADV_SEQUENTIAL.</summary>
    Sequential = 2,

    /// <summary>MADV_WILLNEED.</summary>
    WillNeed = 3,

    /// <summary>MADV_DONTNEED: drop the pages; the next touch faults in zeroes.</summary>
    DontNeed = 4,

    /// <summary>MADV_FREE (treated like DONTNEED by the simulation: pages are dropped at once).</summary>
    Free = 8,

    /// <summary>MADV_HUGEPAGE (accepted, no effect).</summary>
    HugePage = 14,
}
