// Copyright (c) Allocators contributors. MIT License.

using System;
using System.IO;
using System.Text;

namespace Allocators.Workloads;

/// <summary>
/// Writes the text trace format of <c>trace-format.md</c>: one call per line with its facts as a trailing
/// comment (<c># hdr=0x… usable=N</c>), and <c># heap-start</c> / <c># brk</c> directives on lines of their own.
/// Buffered; formats into bytes without allocating.
/// </summary>
public sealed class TraceWriter : ITraceSink
{
    private const int BufferSize = 1 << 16;
    private readonly Stream? _stream;
    private readonly TextWriter? _textWriter;
    private readonly bool _leaveOpen;
    private readonly byte[] _buffer = new byte[BufferSize];
    private char[]? _chars;
    private int _length;
    private bool _disposed;

    /// <summary>Writes to a byte stream (ASCII).</summary>
    /// <param name="stream">The destination.</param>
    /// <param name="leaveOpen">Whether to leave <paramref name="stream"/> open on dispose.</param>
    public TraceWriter(Stream stream, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _leaveOpen = leaveOpen;
    }

    /// <summary>Writes to a text writer.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="leaveOpen">Whether to leave <paramref name="writer"/> open on dispose.</param>
    public TraceWriter(TextWriter writer, bool leaveOpen = true)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _textWriter = writer;
        _leaveOpen = leaveOpen;
    }

    /// <summary>Gets the number of call lines written.</summary>
    public long CallsWritten { get; private set; }

    /// <inheritdoc/>
    public void WriteHeapStart(ulong address)
    {
        Reserve();
        _length += TraceTextFormat.FormatDirective(TraceRecordKind.HeapStart, address, _buffer.AsSpan(_length));
        _buffer[_length++] = (byte)'\n';
    }

    /// <inheritdoc/>
    public void WriteBrk(ulong address)
    {
        Reserve();
        _length += TraceTextFormat.FormatDirective(TraceRecordKind.Brk, address, _buffer.AsSpan(_length));
        _buffer[_length++] = (byte)'\n';
    }

    /// <inheritdoc/>
    public void WriteThreadExit(int threadId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threadId);
        Reserve();
        _length += TraceTextFormat.FormatDirective(TraceRecordKind.ThreadExit, (ulong)threadId, _buffer.AsSpan(_length));
        _buffer[_length++] = (byte)'\n';
    }

    /// <inheritdoc/>
    public void WriteCall(in TraceCall call)
    {
        Reserve();
        _length += TraceTextFormat.FormatCall(call, _buffer.AsSpan(_length));
        _buffer[_length++] = (byte)'\n';
        CallsWritten++;
    }

    /// <inheritdoc/>
    public void Write(in TraceRecord record) => TraceSinkDispatch.Write(this, record);

    /// <summary>Writes a comment line (<c># </c> and <paramref name="text"/>); the text must be one line.</summary>
    public void WriteComment(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.AsSpan().IndexOfAny('\n', '\r') >= 0)
        {
            throw new ArgumentException("A comment must be a single line.", nameof(text));
        }

        int needed = Encoding.UTF8.GetByteCount(text) + 3;
        if (_length + needed > BufferSize)
        {
            FlushBuffer();
        }

        if (needed > BufferSize)
        {
            throw new ArgumentException("The comment is too long.", nameof(text));
        }

        _buffer[_length++] = (byte)'#';
        _buffer[_length++] = (byte)' ';
        _length += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_length));
        _buffer[_length++] = (byte)'\n';
    }

    /// <inheritdoc/>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        FlushBuffer();
        _stream?.Flush();
        _textWriter?.Flush();
    }

    /// <summary>Flushes and closes the destination (unless left open).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        Flush();
        _disposed = true;
        if (!_leaveOpen)
        {
            _stream?.Dispose();
            _textWriter?.Dispose();
        }
    }

    private void Reserve()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_length > BufferSize - TraceTextFormat.MaxLineLength)
        {
            FlushBuffer();
        }
    }

    private void FlushBuffer()
    {
        if (_length == 0)
        {
            return;
        }

        if (_stream is not null)
        {
            _stream.Write(_buffer, 0, _length);
        }
        else
        {
            _chars ??= new char[BufferSize];
            int n = Encoding.UTF8.GetChars(_buffer, 0, _length, _chars, 0);
            _textWriter!.Write(_chars, 0, n);
        }

        _length = 0;
    }
}
