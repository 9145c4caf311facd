// Copyright (c) Allocators contributors. MIT License.

using System;

namespace Allocators;

/// <summary>A simulated SIGSEGV: an access to unmapped memory or memory whose protection forbids it.</summary>
public sealed class SegmentationFaultException : InvalidOperationException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="address">The faulting address.</param>
    /// <param name="access">The kind of access.</param>
    /// <param name="mapped">True for SEGV_ACCERR (mapped, protection forbids), false for SEGV_MAPERR (unmapped).</param>
    /// <param name="detail">What the address belongs to, when known (for example the guard page of a block).</param>
    public SegmentationFaultException(ulong address, MemoryAccessKind access, bool mapped, string? detail = null)
        : base($"Segmentation fault: {(access == MemoryAccessKind.Write ? "write to" : "read from")} 0x{address:x} ({(mapped ? "SEGV_ACCERR: protection forbids it" : "SEGV_MAPERR: not mapped")}{(detail is null ? string.Empty : ", " + detail)}).")
    {
        Address = address;
        Access = access;
        Mapped = mapped;
    }

    /// <summary>Gets the faulting address.</summary>
    public ulong Address { get; }

    /// <summary>Gets the kind of access.</summary>
    public MemoryAccessKind Access { get; }

    /// <summary>Gets a value indicating whether the address was mapped (protection fault) rather than unmapped.</summary>
    public bool Mapped { get; }
}
