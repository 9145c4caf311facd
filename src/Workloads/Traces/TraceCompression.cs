// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads;

/// <summary>The compression wrapped around a trace file (detected from its magic bytes when reading).</summary>
public enum TraceCompression
{
    /// <summary>Not compressed.</summary>
    None,

    /// <summary>gzip (<c>.gz</c>).</summary>
    Gzip,

    /// <summary>Zstandard (<c>.zst</c>).</summary>
    Zstd,
}
