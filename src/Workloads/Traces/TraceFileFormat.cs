// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads;

/// <summary>The encoding of a trace.</summary>
public enum TraceFileFormat
{
    /// <summary>The text format of <c>trace-format.md</c>.</summary>
    Text,

    /// <summary>The compact binary format described in src/Workloads/README.md.</summary>
    Binary,
}
