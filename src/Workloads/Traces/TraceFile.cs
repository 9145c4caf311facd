// Copyright (c) Allocators contributors. MIT License.

using System;
using System.IO;
using System.IO.Compression;

namespace Allocators.Workloads;

/// <summary>Opening and creating trace files by name: compression from the extension (<c>.gz</c>, <c>.zst</c>), binary for <c>.bin</c>.</summary>
public static class TraceFile
{
    /// <summary>Opens a trace for reading; compression and encoding are detected from the content.</summary>
    public static TraceReader OpenRead(string path) => TraceReader.Open(path);

    /// <summary>Gets the compression the name asks for: <c>.gz</c> → gzip, <c>.zst</c> → Zstandard, else none.</summary>
    public static TraceCompression CompressionFromPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            return TraceCompression.Gzip;
        }

        return path.EndsWith(".zst", StringComparison.OrdinalIgnoreCase) ? TraceCompression.Zstd : TraceCompression.None;
    }

    /// <summary>Gets the encoding the name asks for: binary when the name ends in <c>.bin</c> (before any compression extension).</summary>
    public static TraceFileFormat FormatFromPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string name = path;
        if (CompressionFromPath(name) != TraceCompression.None)
        {
            name = name[..name.LastIndexOf('.')];
        }

        return name.EndsWith(".bin", StringComparison.OrdinalIgnoreCase) ? TraceFileFormat.Binary : TraceFileFormat.Text;
    }

    /// <summary>Creates (overwrites) a trace file; the encoding defaults to <see cref="FormatFromPath"/>, the compression follows the extension.</summary>
    public static ITraceSink Create(string path, TraceFileFormat? format = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Stream stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        return Create(stream, format ?? FormatFromPath(path), CompressionFromPath(path));
    }

    /// <summary>Starts a trace on a stream with the given encoding and compression; the sink owns the stream.</summary>
    public static ITraceSink Create(Stream stream, TraceFileFormat format, TraceCompression compression)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream = compression switch
        {
            TraceCompression.Gzip => new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: false),
            TraceCompression.Zstd => new ZstdSharp.CompressionStream(stream, 6, leaveOpen: false),
            _ => stream,
        };
        return format == TraceFileFormat.Binary ? new BinaryTraceWriter(stream) : new TraceWriter(stream);
    }
}
