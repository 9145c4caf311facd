// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Strategies.Buddy;

/// <summary>Where the buddy allocator gets its regions from.</summary>
public enum BuddyRegionSource
{
    /// <summary>Anonymous mappings (mmap), each aligned to the region size.</summary>
    Mmap,

    /// <summary>The program break (brk), each region aligned to the region size above the previous break.</summary>
    Brk,
}
