// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads;

/// <summary>System calls made by a replay, per kind (count).</summary>
/// <param name="Brk">brk calls.</param>
/// <param name="Mmap">mmap calls.</param>
/// <param name="Munmap">munmap calls.</param>
/// <param name="Mremap">mremap calls.</param>
/// <param name="Mprotect">mprotect calls.</param>
/// <param name="Madvise">madvise calls.</param>
public readonly record struct SyscallCounts(long Brk, long Mmap, long Munmap, long Mremap, long Mprotect, long Madvise)
{
    /// <summary>Gets the total.</summary>
    public long Total => Brk + Mmap + Munmap + Mremap + Mprotect + Madvise;

    /// <summary>Takes the counts from an OS snapshot.</summary>
    public static SyscallCounts From(in OsStatistics os) => new(os.Brk, os.Mmap, os.Munmap, os.Mremap, os.Mprotect, os.Madvise);
}
