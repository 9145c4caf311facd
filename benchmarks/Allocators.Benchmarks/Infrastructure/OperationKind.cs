// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Benchmarks.Infrastructure;

/// <summary>The allocation call an <see cref="Operation"/> performs.</summary>
public enum OperationKind : byte
{
    /// <summary>malloc(<see cref="Operation.Argument1"/>) into the slot.</summary>
    Malloc,

    /// <summary>calloc(<see cref="Operation.Argument1"/>, <see cref="Operation.Argument2"/>) into the slot.</summary>
    Calloc,

    /// <summary>realloc(slot, <see cref="Operation.Argument1"/>); the slot keeps the old block when the call fails.</summary>
    Realloc,

    /// <summary>memalign(<see cref="Operation.Argument1"/>, <see cref="Operation.Argument2"/>) into the slot.</summary>
    Memalign,

    /// <summary>free(slot); the slot becomes null.</summary>
    Free,
}
