// Copyright (c) Allocators contributors. MIT License.

namespace Allocators;

/// <summary>Linux errno values returned by the simulated system calls.</summary>
public enum Errno
{
    /// <summary>Success.</summary>
    None = 0,

    /// <summary>EPERM.</summary>
    EPERM = 1,

    /// <summary>EAGAIN.</summary>
    EAGAIN = 11,

    /// <summary>ENOMEM.</summary>
    ENOMEM = 12,

    /// <summary>EACCES.</summary>
    EACCES = 13,

    /// <summary>EFAULT.</summary>
    EFAULT = 14,

    /// <summary>EEXIST.</summary>
    EEXIST = 17,

    /// <summary>EINVAL.</summary>
    EINVAL = 22,
}
