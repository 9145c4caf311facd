// Copyright (c) Allocators contributors. MIT License.

namespace Allocators;

/// <summary>The system calls the simulated process implements.</summary>
public enum SyscallKind
{
    /// <summary>brk(2).</summary>
    Brk,

    /// <summary>mmap(2).</summary>
    Mmap,

    /// <summary>munmap(2).</summary>
    Munmap,

    /// <summary>mremap(2).</summary>
    Mremap,

    /// <summary>mprotect(2).</summary>
    Mprotect,

    /// <summary>madvise(2).</summary>
    Madvise,
}
