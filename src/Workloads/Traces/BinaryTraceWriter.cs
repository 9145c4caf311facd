// Copyright (c) Allocators contributors. MIT License.

using System;
using System.IO;

namespace Allocators.Workloads;

/// <summary>
/// Writes the compact binary trace format (see src/Workloads/README.md): varint records with delta-coded pointers,
/// closed by an end marker on <see cref="Dispose"/> so a truncated file is detected when read.
/// </summary>
public sealed class BinaryTraceWriter : ITraceSink
{
    private const int BufferSize = 1 << 16;
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly byte[] _buffer = new byte[BufferSize];
    private int _length;
    private int _tid = -1;
    private ulong _lastPointer;
    private bool _disposed;

    /// <summary>Starts a binary trace on <paramref name="stream"/> (writes the magic).</summary>
    /// <param name="stream">The destination.</param>
    /// <param name="leaveOpen">Whether to leave <paramref name="stream"/> open on dispose.</param>
    public BinaryTraceWriter(Stream stream, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _leaveOpen = leaveOpen;
        BinaryTraceFormat.Magic.CopyTo(_buffer);
        _length = BinaryTraceFormat.Magic.Length;
    }

    /// <inheritdoc/>
    public void WriteHeapStart(ulong address) => WriteDirective(BinaryTraceFormat.KindHeapStart, address);

    /// <inheritdoc/>
    public void WriteBrk(ulong address) => WriteDirective(BinaryTraceFormat.KindBrk, address);

    /// <inheritdoc/>
    public void WriteThreadExit(int threadId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threadId);
        Reserve();
        _buffer[_length++] = BinaryTraceFormat.TagThreadExit;
        WriteVarint((ulong)threadId);
    }

    /// <inheritdoc/>
    public void WriteCall(in TraceCall call)
    {
        Reserve();
        int tagAt = _length++;
        byte tag = call.Kind switch
        {
            TraceCallKind.Malloc => BinaryTraceFormat.KindMalloc,
            TraceCallKind.Calloc => BinaryTraceFormat.KindCalloc,
            TraceCallKind.Realloc => BinaryTraceFormat.KindRealloc,
            TraceCallKind.Memalign => BinaryTraceFormat.KindMemalign,
            TraceCallKind.Free => BinaryTraceFormat.KindFree,
            _ => throw new ArgumentException($"Unknown call kind {(int)call.Kind}.", nameof(call)),
        };
        if (call.Tid != _tid)
        {
            tag |= BinaryTraceFormat.FlagNewTid;
            _tid = call.Tid;
            WriteVarint((ulong)(uint)call.Tid);
        }

        switch (call.Kind)
        {
            case TraceCallKind.Malloc:
                WriteVarint(call.Argument1);
                break;
            case TraceCallKind.Calloc:
            case TraceCallKind.Memalign:
                WriteVarint(call.Argument1);
                WriteVarint(call.Argument2);
                break;
            case TraceCallKind.Realloc:
                if (call.Argument1 == 0)
                {
                    tag |= BinaryTraceFormat.FlagNullPointer;
                }
                else
                {
                    WritePointer(call.Argument1);
                }

                WriteVarint(call.Argument2);
                break;
            default:
                if (call.Argument1 == 0)
                {
                    tag |= BinaryTraceFormat.FlagNullPointer;
                }
                else
                {
                    WritePointer(call.Argument1);
                }

                break;
        }

        if (call.Kind != TraceCallKind.Free)
        {
            if (call.Result == 0)
            {
                tag |= BinaryTraceFormat.FlagNullResult;
            }
            else
            {
                WritePointer(call.Result);
            }
        }

        if (call.HasHeader)
        {
            tag |= BinaryTraceFormat.FlagHeader;
            WriteVarint(call.Header);
        }

        if (call.HasUsable)
        {
            tag |= BinaryTraceFormat.FlagUsable;
            WriteVarint(call.Usable);
        }

        _buffer[tagAt] = tag;
    }

    /// <inheritdoc/>
    public void Write(in TraceRecord record) => TraceSinkDispatch.Write(this, record);

    /// <inheritdoc/>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _stream.Write(_buffer, 0, _length);
        _length = 0;
        _stream.Flush();
    }

    /// <summary>Writes the end marker, flushes and closes the stream (unless left open).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        Reserve();
        _buffer[_length++] = BinaryTraceFormat.KindEnd;
        Flush();
        _disposed = true;
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    private void WriteDirective(byte kind, ulong address)
    {
        Reserve();
        _buffer[_length++] = kind;
        WritePointer(address);
    }

    private void Reserve()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_length > BufferSize - BinaryTraceFormat.MaxRecordLength)
        {
            _stream.Write(_buffer, 0, _length);
            _length = 0;
        }
    }

    private void WritePointer(ulong value)
    {
        WriteVarint(BinaryTraceFormat.ZigZag(unchecked((long)(value - _lastPointer))));
        _lastPointer = value;
    }

    private void WriteVarint(ulong value)
    {
        byte[] buffer = _buffer;
        int n = _length;
        while (value >= 0x80)
        {
            buffer[n++] = (byte)(value | 0x80);
            value >>= 7;
        }

        buffer[n++] = (byte)value;
        _length = n;
    }
}
