// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads.Scenarios;

/// <summary>A scenario's requests on one strategy: system calls and memory at the end of the run.</summary>
/// <param name="Strategy">The strategy name.</param>
/// <param name="Available">Whether the strategy is in this build (the other fields are zero when not).</param>
/// <param name="Syscalls">All system calls.</param>
/// <param name="Brk">brk calls.</param>
/// <param name="Mmap">mmap calls.</param>
/// <param name="Munmap">munmap calls.</param>
/// <param name="Other">mremap, mprotect and madvise calls.</param>
/// <param name="FinalVszBytes">VSZ at the end.</param>
/// <param name="PeakVszBytes">Peak VSZ.</param>
/// <param name="FinalRssBytes">RSS at the end.</param>
/// <param name="PeakRssBytes">Peak RSS.</param>
/// <param name="Error">Why the run failed, when it did.</param>
public sealed record StrategyComparisonRow(
    string Strategy,
    bool Available,
    long Syscalls,
    long Brk,
    long Mmap,
    long Munmap,
    long Other,
    ulong FinalVszBytes,
    ulong PeakVszBytes,
    ulong FinalRssBytes,
    ulong PeakRssBytes,
    string? Error);
