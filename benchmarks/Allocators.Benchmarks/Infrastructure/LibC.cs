// Copyright (c) Allocators contributors. MIT License.

using System.Runtime.InteropServices;

namespace Allocators.Benchmarks.Infrastructure;

/// <summary>
/// The process's own C library allocator (glibc on Linux), called directly: the baseline of every head-to-head
/// benchmark.
/// </summary>
/// <remarks>
/// <see cref="SuppressGCTransitionAttribute"/> removes the managed-to-native transition (tens of nanoseconds, more
/// than a tcache hit costs), so the baseline measures glibc itself. It is safe here because the benchmark thread
/// is the only one calling, the calls do not call back into managed code, and an occasional brk/mmap inside
/// malloc only delays a GC, never deadlocks it.
/// </remarks>
internal static class LibC
{
    private const string Library = "libc";

    [DllImport(Library, EntryPoint = "malloc", ExactSpelling = true)]
    [SuppressGCTransition]
    internal static extern nuint Malloc(nuint size);

    [DllImport(Library, EntryPoint = "calloc", ExactSpelling = true)]
    [SuppressGCTransition]
    internal static extern nuint Calloc(nuint count, nuint size);

    [DllImport(Library, EntryPoint = "realloc", ExactSpelling = true)]
    [SuppressGCTransition]
    internal static extern nuint Realloc(nuint address, nuint size);

    [DllImport(Library, EntryPoint = "memalign", ExactSpelling = true)]
    [SuppressGCTransition]
    internal static extern nuint Memalign(nuint alignment, nuint size);

    [DllImport(Library, EntryPoint = "free", ExactSpelling = true)]
    [SuppressGCTransition]
    internal static extern void Free(nuint address);

    [DllImport(Library, EntryPoint = "mmap", ExactSpelling = true)]
    internal static extern nint Mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [DllImport(Library, EntryPoint = "munmap", ExactSpelling = true)]
    internal static extern int Munmap(nint address, nuint length);

    [DllImport(Library, EntryPoint = "malloc_trim", ExactSpelling = true)]
    internal static extern int MallocTrim(nuint pad);
}
