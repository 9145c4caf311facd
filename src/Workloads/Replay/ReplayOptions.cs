// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Threading;
using Allocators.Os;

namespace Allocators.Workloads;

/// <summary>Options of <see cref="Replayer"/>.</summary>
public sealed class ReplayOptions
{
    /// <summary>Gets or sets a value indicating whether a call on a pointer that is not live is skipped (and counted) instead of failing the replay.</summary>
    /// <value>Default false: such a call throws <see cref="ReplayException"/> naming its line.</value>
    public bool SkipUnknown { get; set; }

    /// <summary>Gets or sets a value indicating whether every block still live at the end is freed (and the final figures taken after that).</summary>
    /// <value>Default false.</value>
    public bool Drain { get; set; }

    /// <summary>Gets or sets the sampling interval in calls; 0 turns sampling off (a final sample is still taken).</summary>
    /// <value>Default 0.</value>
    public long SampleInterval { get; set; }

    /// <summary>Gets or sets where the simulated trace is written (the same format, simulated addresses and facts); null = none.</summary>
    /// <value>Default null.</value>
    public ITraceSink? Output { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether <c># hdr=</c> (the word before each result) is written to <see cref="Output"/>;
    /// null = when the strategy is <c>glibc</c>, whose chunk headers have that layout.
    /// </summary>
    /// <value>Default null.</value>
    public bool? WriteHeaders { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether thread ids are renumbered 0, 1, 2… in order of first appearance before they are
    /// handed to the strategy (so the first thread of the trace is the main thread, <see cref="SimulatedThread"/> 0).
    /// When false the recorded ids are passed unchanged.
    /// </summary>
    /// <value>Default true.</value>
    public bool RenumberThreads { get; set; } = true;

    /// <summary>
    /// Gets or sets a hook that adjusts the simulated process's options after the replayer set
    /// <see cref="SimulatedOsOptions.BreakStart"/> from the trace's <c># heap-start</c>.
    /// </summary>
    /// <value>Default null.</value>
    public Action<SimulatedOsOptions>? ConfigureOs { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether the replay touches every page of each block it allocates, as a program
    /// that uses its memory does (one byte read per page of the requested bytes; the simulated process counts any first
    /// touch as a page fault). Off, RSS shows only the pages the allocator itself writes (headers, free-list links).
    /// </summary>
    /// <value>Default true.</value>
    public bool TouchAllocatedMemory { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether the trace is parsed on a second thread while the first replays (when the machine has more than one core).</summary>
    /// <value>Default true.</value>
    public bool ParallelParse { get; set; } = true;

    /// <summary>Gets or sets a callback told the number of calls replayed so far, about every 65536 calls.</summary>
    /// <value>Default null.</value>
    public Action<long>? Progress { get; set; }

    /// <summary>Gets or sets a token that stops the replay (between batches of calls).</summary>
    /// <value>Default none.</value>
    public CancellationToken CancellationToken { get; set; }
}
