// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads;

/// <summary>
/// One call resolved against the recorded heap by <see cref="CallResolver"/>: the recorded pointers are replaced by
/// slots of <see cref="ReplayState"/>'s dense table of live blocks, so executing it needs no hash lookup. 40 bytes,
/// against 88 for the <see cref="TraceRecord"/> it came from (which is read again only to report an error or to
/// write the simulated trace).
/// </summary>
internal struct ReplayOp
{
    /// <summary>Raw first argument of the call (size, count, pointer or alignment).</summary>
    public ulong Argument1;

    /// <summary>Raw second argument of the call.</summary>
    public ulong Argument2;

    /// <summary>The slot of the pointer argument (free, realloc); -1 when that pointer is null (or the call is unknown).</summary>
    public int Slot;

    /// <summary>The slot that tracks the result, -1 when the program's call returned null (and for free).</summary>
    public int Target;

    /// <summary>The simulated thread id.</summary>
    public int Thread;

    /// <summary>The index of the call in its record batch.</summary>
    public int Record;

    /// <summary>The function called.</summary>
    public TraceCallKind Kind;

    /// <summary>See <see cref="ReplayOpFlags"/>.</summary>
    public ReplayOpFlags Flags;
}
