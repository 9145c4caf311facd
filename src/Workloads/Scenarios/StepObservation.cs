// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Generic;

namespace Allocators.Workloads.Scenarios;

/// <summary>
/// What one side (the simulation or the real glibc) showed after one scenario step. Counters are cumulative from
/// the start of the run; a <see langword="null"/> value was not observable on that side.
/// </summary>
/// <param name="Index">The step index.</param>
/// <param name="Step">The step.</param>
/// <param name="Place">Where the returned block lives (malloc steps).</param>
/// <param name="Offset">Heap blocks: the pointer's offset from the initial break; mapped blocks: its offset in its page.</param>
/// <param name="SizeWord">The chunk size word before the pointer (glibc-style headers only).</param>
/// <param name="BreakOffset">The program break after the step, as an offset from the initial break.</param>
/// <param name="BreakMoves">How many steps so far moved the break.</param>
/// <param name="Mmaps">Mappings made so far.</param>
/// <param name="Munmaps">Mappings released so far.</param>
/// <param name="Syscalls">System calls so far (simulation only).</param>
/// <param name="VszBytes">Address space held by the allocator: heap plus mappings.</param>
/// <param name="RssBytes">Resident bytes (the simulated process; on the real glibc, the whole oracle process).</param>
/// <param name="PageFaults">Page faults so far in the run (on the real glibc, minor faults since the run began).</param>
/// <param name="Log">The step and its system calls, strace-style (simulation only).</param>
public sealed record StepObservation(
    int Index,
    ScenarioStep Step,
    PointerPlace Place,
    ulong Offset,
    ulong? SizeWord,
    ulong BreakOffset,
    long BreakMoves,
    long Mmaps,
    long Munmaps,
    long? Syscalls,
    ulong? VszBytes,
    ulong? RssBytes,
    long? PageFaults,
    IReadOnlyList<string> Log);
