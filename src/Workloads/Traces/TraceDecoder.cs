// Copyright (c) Allocators contributors. MIT License.

using System;
using System.IO;

namespace Allocators.Workloads;

/// <summary>Decodes records from a (decompressed) byte stream; one subclass per encoding.</summary>
internal abstract class TraceDecoder
{
    private readonly Stream _stream;

    protected TraceDecoder(Stream stream, string source)
    {
        _stream = stream;
        Source = source;
    }

    public string Source { get; }

    public abstract bool TryRead(out TraceRecord record);

    public virtual int ReadBatch(Span<TraceRecord> destination)
    {
        int n = 0;
        while (n < destination.Length && TryRead(out destination[n]))
        {
            n++;
        }

        return n;
    }

    /// <summary>Reads from the stream, turning decompressor and I/O failures into <see cref="TraceFormatException"/>.</summary>
    protected int ReadStream(Span<byte> buffer, long line)
    {
        try
        {
            return _stream.Read(buffer);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or ZstdSharp.ZstdException)
        {
            throw new TraceFormatException("the compressed data is truncated or corrupt (" + e.Message + ")", Source, line, innerException: e);
        }
        catch (IOException e)
        {
            throw new TraceFormatException("the trace cannot be read (" + e.Message + ")", Source, line, innerException: e);
        }
    }
}
