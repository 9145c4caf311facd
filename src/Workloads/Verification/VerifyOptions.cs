// Copyright (c) Allocators contributors. MIT License.

using System;
using Allocators.Os;

namespace Allocators.Workloads;

/// <summary>Options of <see cref="TraceVerifier"/>.</summary>
public sealed class VerifyOptions
{
    /// <summary>Gets or sets how many calls before the divergent one are shown in its context.</summary>
    /// <value>Default 3.</value>
    public int ContextCalls { get; set; } = 3;

    /// <summary>Gets or sets a hook that adjusts the simulated process's options after the break start was set from the trace.</summary>
    /// <value>Default null.</value>
    public Action<SimulatedOsOptions>? ConfigureOs { get; set; }

    /// <summary>Gets or sets the most calls to verify (a prefix of a long trace); 0 = all.</summary>
    /// <value>Default 0.</value>
    public long MaxCalls { get; set; }

    /// <summary>Gets or sets a callback told the number of calls verified so far, about every 65536 calls.</summary>
    /// <value>Default null.</value>
    public Action<long>? Progress { get; set; }
}
