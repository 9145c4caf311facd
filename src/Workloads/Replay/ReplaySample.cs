// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads;

/// <summary>The state of a replay after a given number of calls (the x axis is the call index, not wall time).</summary>
public readonly record struct ReplaySample
{
    /// <summary>Gets the number of calls replayed when the sample was taken.</summary>
    public long Call { get; init; }

    /// <summary>Gets the resident set of the simulated process (bytes).</summary>
    public ulong RssBytes { get; init; }

    /// <summary>Gets the virtual size of the simulated process (bytes).</summary>
    public ulong VszBytes { get; init; }

    /// <summary>Gets the bytes the program asked for that are live (bytes).</summary>
    public ulong LiveRequestedBytes { get; init; }

    /// <summary>Gets the bytes in live blocks as the strategy counts them, headers and rounding included (bytes).</summary>
    public ulong AllocatedBytes { get; init; }

    /// <summary>Gets the bytes the strategy holds from the OS (bytes).</summary>
    public ulong HeldBytes { get; init; }

    /// <summary>Gets the system calls made so far (count).</summary>
    public long Syscalls { get; init; }

    /// <summary>Gets the page faults so far (count).</summary>
    public long PageFaults { get; init; }

    /// <summary>Gets the external fragmentation: 1 − largest free block / free bytes.</summary>
    public double Fragmentation { get; init; }
}
