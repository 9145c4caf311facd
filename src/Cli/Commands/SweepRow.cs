// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Generic;

namespace Allocators.Cli.Commands;

/// <summary>One combination of option values in <c>allocators sweep</c> and what the replay measured.</summary>
internal sealed record SweepRow(
    IReadOnlyDictionary<string, string> Options,
    ulong PeakRssBytes,
    ulong PeakVszBytes,
    long Syscalls,
    long PageFaults,
    double NsPerCall,
    bool Pareto);
