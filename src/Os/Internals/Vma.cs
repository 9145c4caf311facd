// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Os.Internals;

/// <summary>A virtual memory area: a run of pages with the same attributes, like Linux's vm_area_struct.</summary>
/// <param name="Start">The first address (page aligned).</param>
/// <param name="End">One past the last address (page aligned).</param>
/// <param name="Protection">The protection.</param>
/// <param name="IsHeap">True for the brk heap.</param>
/// <param name="IsShared">True for MAP_SHARED (behaves like private in a single process; never merges with private).</param>
internal readonly record struct Vma(ulong Start, ulong End, Protection Protection, bool IsHeap, bool IsShared)
{
    /// <summary>Gets the length in bytes.</summary>
    public ulong Length => End - Start;

    /// <summary>Gets whether Linux counts the area in RLIMIT_DATA (data_vm): private and writable.</summary>
    public bool IsData => !IsShared && (Protection & Protection.Write) != 0;

    /// <summary>Gets whether <paramref name="next"/> can merge with this area: adjacent and with equal attributes.</summary>
    public bool CanMergeWith(in Vma next)
        => End == next.Start && Protection == next.Protection && IsHeap == next.IsHeap && IsShared == next.IsShared;

    /// <summary>Returns a copy covering [<paramref name="start"/>, <paramref name="end"/>).</summary>
    public Vma Slice(ulong start, ulong end) => this with { Start = start, End = end };
}
