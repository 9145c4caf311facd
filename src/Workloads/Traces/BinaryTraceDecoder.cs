// Copyright (c) Allocators contributors. MIT License.

using System;
using System.IO;
using System.Runtime.CompilerServices;

namespace Allocators.Workloads;

/// <summary>Decodes the binary format; the stream is positioned after the magic.</summary>
internal sealed class BinaryTraceDecoder : TraceDecoder
{
    private const int BufferSize = 1 << 18;
    private readonly byte[] _buffer = new byte[BufferSize];
    private int _pos;
    private int _end;
    private bool _eof;
    private bool _ended;
    private long _record;
    private int _tid;
    private ulong _lastPointer;

    public BinaryTraceDecoder(Stream stream, string source)
        : base(stream, source)
    {
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override bool TryReadCore(out TraceRecord record)
    {
        while (true)
        {
            if (_ended)
            {
                record = default;
                return false;
            }

            if (_end - _pos < BinaryTraceFormat.MaxRecordLength && !_eof)
            {
                Refill();
            }

            if (_pos >= _end)
            {
                throw new TraceFormatException("the binary trace is truncated (no end marker)", Source, _record + 1);
            }

            _record++;
            byte tag = _buffer[_pos++];
            byte kind = (byte)(tag & BinaryTraceFormat.KindMask);
            if (tag == BinaryTraceFormat.TagThreadExit)
            {
                ulong exited = ReadVarint();
                if (exited > int.MaxValue)
                {
                    throw Corrupt("thread id out of range");
                }

                record = TraceRecord.ForThreadExit((int)exited, _record);
                return true;
            }

            if (kind == BinaryTraceFormat.KindEnd)
            {
                _ended = true;
                continue;
            }

            if (kind is BinaryTraceFormat.KindHeapStart or BinaryTraceFormat.KindBrk)
            {
                ulong address = ReadPointer();
                record = kind == BinaryTraceFormat.KindHeapStart
                    ? TraceRecord.ForHeapStart(address, _record)
                    : TraceRecord.ForBrk(address, _record);
                return true;
            }

            if ((tag & BinaryTraceFormat.FlagNewTid) != 0)
            {
                ulong tid = ReadVarint();
                if (tid > int.MaxValue)
                {
                    throw Corrupt("thread id out of range");
                }

                _tid = (int)tid;
            }

            ulong a1 = 0, a2 = 0, result = 0;
            TraceCallKind callKind;
            switch (kind)
            {
                case BinaryTraceFormat.KindMalloc:
                    callKind = TraceCallKind.Malloc;
                    a1 = ReadVarint();
                    break;
                case BinaryTraceFormat.KindCalloc:
                    callKind = TraceCallKind.Calloc;
                    a1 = ReadVarint();
                    a2 = ReadVarint();
                    break;
                case BinaryTraceFormat.KindMemalign:
                    callKind = TraceCallKind.Memalign;
                    a1 = ReadVarint();
                    a2 = ReadVarint();
                    break;
                case BinaryTraceFormat.KindRealloc:
                    callKind = TraceCallKind.Realloc;
                    a1 = (tag & BinaryTraceFormat.FlagNullPointer) != 0 ? 0 : ReadPointer();
                    a2 = ReadVarint();
                    break;
                default:
                    callKind = TraceCallKind.Free;
                    a1 = (tag & BinaryTraceFormat.FlagNullPointer) != 0 ? 0 : ReadPointer();
                    break;
            }

            if (callKind != TraceCallKind.Free && (tag & BinaryTraceFormat.FlagNullResult) == 0)
            {
                result = ReadPointer();
            }

            var call = new TraceCall(_tid, callKind, a1, a2, result, _record);
            if ((tag & BinaryTraceFormat.FlagHeader) != 0)
            {
                call = call with { Header = ReadVarint(), HasHeader = true };
            }

            if ((tag & BinaryTraceFormat.FlagUsable) != 0)
            {
                call = call with { Usable = ReadVarint(), HasUsable = true };
            }

            record = new TraceRecord { Kind = TraceRecordKind.Call, Call = call, Line = _record };
            return true;
        }
    }

    private ulong ReadPointer()
    {
        _lastPointer = unchecked(_lastPointer + (ulong)BinaryTraceFormat.UnZigZag(ReadVarint()));
        return _lastPointer;
    }

    private ulong ReadVarint()
    {
        ulong value = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (_pos >= _end)
            {
                throw new TraceFormatException("the binary trace is truncated inside a record", Source, _record);
            }

            byte b = _buffer[_pos++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw Corrupt("a number is longer than 10 bytes");
    }

    private TraceFormatException Corrupt(string reason) => new("corrupt binary trace: " + reason, Source, _record);

    private void Refill()
    {
        int remaining = _end - _pos;
        if (remaining > 0 && _pos > 0)
        {
            Buffer.BlockCopy(_buffer, _pos, _buffer, 0, remaining);
        }

        _pos = 0;
        _end = remaining;
        while (_end < BinaryTraceFormat.MaxRecordLength * 4)
        {
            int n = ReadStream(_buffer.AsSpan(_end), _record + 1);
            if (n == 0)
            {
                _eof = true;
                return;
            }

            _end += n;
        }
    }
}
