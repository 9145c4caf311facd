// Copyright (c) Allocators contributors. MIT License.

using System;
using System.IO;
using System.Runtime.ExceptionServices;

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

    private ExceptionDispatchInfo? _deferred;

    public bool TryRead(out TraceRecord record)
    {
        ThrowDeferred();
        return TryReadCore(out record);
    }

    /// <summary>
    /// Fills <paramref name="destination"/>; returns the count (0 at the end). When a record is malformed, the records
    /// before it are returned first and the error is thrown by the next call, so they can still be used.
    /// </summary>
    public int ReadBatch(Span<TraceRecord> destination)
    {
        ThrowDeferred();
        int count = 0;
        try
        {
            ReadMany(destination, ref count);
        }
        catch (TraceFormatException e) when (count > 0)
        {
            _deferred = ExceptionDispatchInfo.Capture(e);
        }

        return count;
    }

    protected abstract bool TryReadCore(out TraceRecord record);

    /// <summary>Reads records into <paramref name="destination"/>, counting them in <paramref name="count"/> as it goes.</summary>
    protected virtual void ReadMany(Span<TraceRecord> destination, ref int count)
    {
        while (count < destination.Length && TryReadCore(out destination[count]))
        {
            count++;
        }
    }

    private void ThrowDeferred()
    {
        if (_deferred is not null)
        {
            ExceptionDispatchInfo deferred = _deferred;
            _deferred = null;
            deferred.Throw();
        }
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
