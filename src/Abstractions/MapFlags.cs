// Copyright (c) Allocators contributors. MIT License.

using System;

namespace Allocators;

/// <summary>mmap flags (MAP_*), with Linux's values.</summary>
[Flags]
public enum MapFlags
{
    /// <summary>No flags.</summary>
    None = 0,

    /// <summary>MAP_SHARED.</summary>
    Shared = 0x01,

    /// <summary>MAP_PRIVATE.</summary>
    Private = 0x02,

    /// <summary>MAP_FIXED: place exactly at the address, replacing what is there.</summary>
    Fixed = 0x10,

    /// <summary>MAP_ANONYMOUS.</summary>
    Anonymous = 0x20,

    /// <summary>MAP_NORESERVE.</summary>
    NoReserve = 0x4000,

    /// <summary>MAP_FIXED_NOREPLACE: place exactly at the address or fail with EEXIST.</summary>
    FixedNoReplace = 0x100000,

    /// <summary>MAP_PRIVATE|MAP_ANONYMOUS, what malloc uses.</summary>
    PrivateAnonymous = Private | Anonymous,
}
