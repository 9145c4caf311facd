// Copyright (c) Allocators contributors. MIT License.

using System;
using System.IO;
using System.Runtime.CompilerServices;

namespace Allocators.Workloads;

/// <summary>Parses the text format line by line straight from a byte buffer (no per-line strings).</summary>
internal sealed class TextTraceDecoder : TraceDecoder
{
    private const int BufferSize = 1 << 20;
    private readonly byte[] _buffer = new byte[BufferSize];
    private int _start;
    private int _end;
    private bool _eof;
    private long _line;

    public TextTraceDecoder(Stream stream, string source)
        : base(stream, source)
    {
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override bool TryReadCore(out TraceRecord record)
    {
        while (true)
        {
            ReadOnlySpan<byte> pending = _buffer.AsSpan(_start, _end - _start);
            int newline = pending.IndexOf((byte)'\n');
            ReadOnlySpan<byte> line;
            if (newline >= 0)
            {
                line = pending[..newline];
                _start += newline + 1;
            }
            else if (!_eof)
            {
                Refill();
                continue;
            }
            else if (pending.Length > 0)
            {
                line = pending;
                _start = _end;
            }
            else
            {
                record = default;
                return false;
            }

            _line++;
            if (line.Length > 0 && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            if (TraceTextFormat.TryParseCanonicalCall(line, _line, out record) || TraceTextFormat.TryParseLine(line, _line, Source, out record))
            {
                return true;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void ReadMany(Span<TraceRecord> destination, ref int count)
    {
        while (count < destination.Length && TryReadCore(out destination[count]))
        {
            count++;
        }
    }

    private void Refill()
    {
        int remaining = _end - _start;
        if (remaining == _buffer.Length)
        {
            throw TraceTextFormat.Fail($"line longer than {BufferSize} bytes", _buffer.AsSpan(0, 200), _line + 1, Source);
        }

        if (remaining > 0 && _start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, remaining);
        }

        _start = 0;
        _end = remaining;
        while (_end < _buffer.Length)
        {
            int n = ReadStream(_buffer.AsSpan(_end), _line + 1);
            if (n == 0)
            {
                _eof = true;
                return;
            }

            _end += n;
            if (_buffer.AsSpan(_end - n, n).Contains((byte)'\n'))
            {
                return;
            }
        }
    }
}
