// Copyright (c) Allocators contributors. MIT License.

using System;

namespace Allocators;

/// <summary>Memory protection bits (PROT_*).</summary>
[Flags]
public enum Protection
{
    /// <summary>PROT_NONE: every access faults.</summary>
    None = 0,

    /// <summary>PROT_READ.</summary>
    Read = 1,

    /// <summary>PROT_WRITE.</summary>
    Write = 2,

    /// <summary>PROT_EXEC.</summary>
    Exec = 4,

    /// <summary>PROT_READ|PROT_WRITE.</summary>
    ReadWrite = Read | Write,
}
