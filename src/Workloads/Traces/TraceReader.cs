// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;

namespace Allocators.Workloads;

/// <summary>
/// Streams the records of a trace — text or binary, plain, gzip or Zstandard (detected from the magic bytes) —
/// in constant memory. Pull with <see cref="TryRead"/> or <see cref="ReadBatch"/>, or enumerate once.
/// </summary>
/// <remarks>
/// Malformed input throws <see cref="TraceFormatException"/> naming the line (text) or record (binary) and the
/// offending text; an empty input, a truncated compressed stream and an unsupported compression (xz, bzip2, lz4,
/// zip) throw it too. Not thread-safe.
/// </remarks>
public sealed class TraceReader : IDisposable, IEnumerable<TraceRecord>
{
    private readonly Stream _stream;
    private readonly TraceDecoder _decoder;
    private bool _enumerated;

    /// <summary>Opens a trace stream, detecting compression and encoding.</summary>
    /// <param name="stream">The raw stream (compressed or not).</param>
    /// <param name="sourceName">A name for error messages (for example the file name).</param>
    /// <param name="leaveOpen">Whether to leave <paramref name="stream"/> open on dispose.</param>
    /// <exception cref="TraceFormatException">The stream is empty or uses an unsupported compression.</exception>
    public TraceReader(Stream stream, string? sourceName = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        SourceName = sourceName ?? "trace";
        try
        {
            _stream = Sniff(stream, leaveOpen, out TraceCompression compression, out TraceFileFormat format);
            Compression = compression;
            Format = format;
            _decoder = format == TraceFileFormat.Binary
                ? new BinaryTraceDecoder(_stream, SourceName)
                : new TextTraceDecoder(_stream, SourceName);
        }
        catch
        {
            if (!leaveOpen)
            {
                stream.Dispose();
            }

            throw;
        }
    }

    /// <summary>Gets the name used in error messages.</summary>
    public string SourceName { get; }

    /// <summary>Gets the detected compression.</summary>
    public TraceCompression Compression { get; }

    /// <summary>Gets the detected encoding.</summary>
    public TraceFileFormat Format { get; }

    /// <summary>Gets the <c># heap-start</c> address once its directive has been read; null before or without one.</summary>
    public ulong? HeapStart { get; private set; }

    /// <summary>Gets the number of call records read so far.</summary>
    public long CallsRead { get; private set; }

    /// <summary>Opens a trace file (text or binary; plain, <c>.gz</c> or <c>.zst</c> by content).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="TraceFormatException">The file is empty or uses an unsupported compression.</exception>
    public static TraceReader Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        return new TraceReader(file, path, leaveOpen: false);
    }

    /// <summary>Reads the next record; false at the end of the trace.</summary>
    /// <exception cref="TraceFormatException">The next line or record is malformed, or the data is truncated.</exception>
    public bool TryRead(out TraceRecord record)
    {
        if (!_decoder.TryRead(out record))
        {
            return false;
        }

        Account(record);
        return true;
    }

    /// <summary>Reads up to <paramref name="destination"/>.Length records; returns how many (0 at the end).</summary>
    /// <exception cref="TraceFormatException">A line or record is malformed, or the data is truncated.</exception>
    public int ReadBatch(Span<TraceRecord> destination)
    {
        int n = _decoder.ReadBatch(destination);
        for (int i = 0; i < n; i++)
        {
            Account(destination[i]);
        }

        return n;
    }

    /// <summary>Enumerates the calls only, skipping directives (read <see cref="HeapStart"/> afterwards or meanwhile).</summary>
    public IEnumerable<TraceCall> ReadCalls()
    {
        while (TryRead(out TraceRecord record))
        {
            if (record.Kind == TraceRecordKind.Call)
            {
                yield return record.Call;
            }
        }
    }

    /// <summary>Enumerates the remaining records; a trace can be enumerated once.</summary>
    public IEnumerator<TraceRecord> GetEnumerator()
    {
        if (_enumerated)
        {
            throw new InvalidOperationException("A trace reader can be enumerated only once.");
        }

        _enumerated = true;
        return Enumerate();
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Closes the underlying stream (unless left open).</summary>
    public void Dispose() => _stream.Dispose();

    private IEnumerator<TraceRecord> Enumerate()
    {
        while (TryRead(out TraceRecord record))
        {
            yield return record;
        }
    }

    private void Account(in TraceRecord record)
    {
        if (record.Kind == TraceRecordKind.Call)
        {
            CallsRead++;
        }
        else if (record.Kind == TraceRecordKind.HeapStart && HeapStart is null)
        {
            HeapStart = record.Address;
        }
    }

    private Stream Sniff(Stream raw, bool leaveOpen, out TraceCompression compression, out TraceFileFormat format)
    {
        const int MagicLength = 8;
        byte[] head = new byte[MagicLength];
        int n = ReadHead(raw, head, "the trace cannot be read");
        if (n == 0)
        {
            throw new TraceFormatException("the trace is empty", SourceName);
        }

        ReadOnlySpan<byte> magic = head.AsSpan(0, n);
        compression = TraceCompression.None;
        if (magic.StartsWith((ReadOnlySpan<byte>)[0x1f, 0x8b]))
        {
            compression = TraceCompression.Gzip;
        }
        else if (magic.StartsWith((ReadOnlySpan<byte>)[0x28, 0xb5, 0x2f, 0xfd]))
        {
            compression = TraceCompression.Zstd;
        }
        else
        {
            string? unsupported = DetectUnsupported(magic);
            if (unsupported is not null)
            {
                throw new TraceFormatException($"unsupported compression: {unsupported} (decompress it, or recompress with gzip or zstd)", SourceName);
            }

            return AfterMagic(head, n, raw, leaveOpen, out format);
        }

        Stream compressed = new PrefixStream(head, n, raw, leaveOpen);
        Stream stream = compression == TraceCompression.Gzip
            ? new GzipCheckingStream(compressed, SourceName)
            : new ZstdSharp.DecompressionStream(compressed, leaveOpen: false);
        byte[] inner = new byte[MagicLength];
        int m;
        try
        {
            m = ReadHead(stream, inner, "the compressed data is truncated or corrupt");
            if (m == 0)
            {
                throw new TraceFormatException("the trace is empty (after decompression)", SourceName);
            }
        }
        catch
        {
            stream.Dispose();
            throw;
        }

        return AfterMagic(inner, m, stream, leaveOpen: false, out format);
    }

    /// <summary>A binary trace continues after its magic; a text trace gets its first bytes back.</summary>
    private static Stream AfterMagic(byte[] head, int length, Stream rest, bool leaveOpen, out TraceFileFormat format)
    {
        if (head.AsSpan(0, length).SequenceEqual(BinaryTraceFormat.Magic))
        {
            format = TraceFileFormat.Binary;
            return new PrefixStream(head, 0, rest, leaveOpen);
        }

        format = TraceFileFormat.Text;
        return new PrefixStream(head, length, rest, leaveOpen);
    }

    private int ReadHead(Stream stream, byte[] head, string failure)
    {
        try
        {
            return PrefixStream.ReadFully(stream, head);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException or ZstdSharp.ZstdException)
        {
            throw new TraceFormatException(failure + " (" + e.Message + ")", SourceName, innerException: e);
        }
    }

    private static string? DetectUnsupported(ReadOnlySpan<byte> magic)
    {
        if (magic.StartsWith((ReadOnlySpan<byte>)[0xfd, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0x00]))
        {
            return "xz";
        }

        if (magic.StartsWith("BZh"u8))
        {
            return "bzip2";
        }

        if (magic.StartsWith((ReadOnlySpan<byte>)[0x04, 0x22, 0x4d, 0x18]))
        {
            return "lz4";
        }

        if (magic.StartsWith("PK\u0003\u0004"u8))
        {
            return "zip";
        }

        if (magic.StartsWith((ReadOnlySpan<byte>)[0x5d, 0x00, 0x00]))
        {
            return "lzma";
        }

        return null;
    }
}
