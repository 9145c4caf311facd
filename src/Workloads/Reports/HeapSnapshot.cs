// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Generic;

namespace Allocators.Workloads.Reports;

/// <summary>A strategy's heap at one call of a trace: its own heap walk, in address order.</summary>
/// <param name="Strategy">The strategy name.</param>
/// <param name="Call">How many calls had been replayed when the heap was walked.</param>
/// <param name="InitialBreak">The simulated process's initial program break.</param>
/// <param name="Break">The program break at that call.</param>
/// <param name="Blocks">Every block the strategy's walker reports, sorted by address.</param>
/// <param name="Regions">The blocks grouped into address-contiguous regions.</param>
public sealed record HeapSnapshot(
    string Strategy,
    long Call,
    ulong InitialBreak,
    ulong Break,
    IReadOnlyList<HeapBlock> Blocks,
    IReadOnlyList<HeapRegion> Regions);
