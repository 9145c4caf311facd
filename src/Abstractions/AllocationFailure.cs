// Copyright (c) Allocators contributors. MIT License.

namespace Allocators;

/// <summary>Why an allocation returned 0 (the errno the C library would set).</summary>
public enum AllocationFailure
{
    /// <summary>No allocation has failed.</summary>
    None = 0,

    /// <summary>ENOMEM: the request is too large or the OS refused memory.</summary>
    OutOfMemory = 12,

    /// <summary>EINVAL: an impossible alignment or argument.</summary>
    InvalidArgument = 22,
}
