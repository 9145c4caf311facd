// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads;

/// <summary>What differed at a <see cref="TraceDivergence"/>.</summary>
public enum DivergenceKind
{
    /// <summary>The result: a different heap offset, null against non-null, or heap against mmapped memory.</summary>
    Result,

    /// <summary>The chunk size word before the result (<c># hdr=</c>).</summary>
    Header,

    /// <summary>The program break after the call (<c># brk</c>).</summary>
    Break,

    /// <summary>The strategy threw where the real allocator did not.</summary>
    Error,
}
