// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Generic;

namespace Allocators;

/// <summary>An allocator that can enumerate its blocks in address order (for heap maps and checks).</summary>
public interface IHeapWalker
{
    /// <summary>Enumerates every block the strategy manages: in use, free, top, mmapped, guard and metadata regions.</summary>
    IReadOnlyList<HeapBlock> WalkHeap();
}
