// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads.Oracle;

/// <summary>Where a pointer result lies.</summary>
public enum OraclePointerKind
{
    /// <summary>The null pointer.</summary>
    Null,

    /// <summary>A chunk without the IS_MMAPPED bit: the offset is from the initial program break.</summary>
    Heap,

    /// <summary>A chunk with the IS_MMAPPED bit: mapping addresses are the kernel's choice, so the offset is the pointer's offset in its page.</summary>
    Mmap,

    /// <summary>
    /// A chunk without the IS_MMAPPED bit lying 2^40 bytes or more away from the initial break: heap memory from glibc's
    /// mmap fallback (brk failed); the offset is the pointer's offset in its page.
    /// </summary>
    Outside,
}
