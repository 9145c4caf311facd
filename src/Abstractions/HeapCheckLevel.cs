// Copyright (c) Allocators contributors. MIT License.

namespace Allocators;

/// <summary>How much checking an allocator does (mimalloc's MI_DEBUG levels).</summary>
public enum HeapCheckLevel
{
    /// <summary>Only the checks the real allocator always makes.</summary>
    None = 0,

    /// <summary>O(1) checks on the chunks each call touches.</summary>
    Cheap = 1,

    /// <summary>O(n) walks of every structure; when set as an option, after every call.</summary>
    Full = 2,
}
