// Copyright (c) Allocators contributors. MIT License.

using System;

namespace Allocators.Workloads;

/// <summary>What <see cref="CallResolver"/> found out about a call.</summary>
[Flags]
internal enum ReplayOpFlags : byte
{
    /// <summary>Nothing special.</summary>
    None = 0,

    /// <summary>The pointer argument is not live in the recorded heap (never returned, or freed already).</summary>
    Unknown = 1,

    /// <summary>The result was already live (an inconsistent trace): its target slot still holds the old block.</summary>
    Replaced = 2,

    /// <summary>Not a call: thread <see cref="ReplayOp.Thread"/> exited (a <c># thread-exit</c> record).</summary>
    ThreadExit = 4,
}
