// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Text;

namespace Allocators.Workloads;

/// <summary>Formatting and parsing of single lines of the text trace format (bytes, no allocation on the success path).</summary>
internal static class TraceTextFormat
{
    /// <summary>The longest line <see cref="FormatCall"/> can produce, with room to spare.</summary>
    public const int MaxLineLength = 192;

    private static ReadOnlySpan<byte> Nil => "(nil)"u8;

    private static ReadOnlySpan<byte> HeapStartWord => "heap-start"u8;

    private static ReadOnlySpan<byte> BrkWord => "brk"u8;

    private static ReadOnlySpan<byte> ThreadExitWord => "thread-exit"u8;

    private static ReadOnlySpan<byte> HdrWord => "hdr="u8;

    private static ReadOnlySpan<byte> UsableWord => "usable="u8;

    /// <summary>Formats a call line (with its facts) into <paramref name="destination"/>; returns the bytes written.</summary>
    public static int FormatCall(in TraceCall call, Span<byte> destination)
    {
        int n = WriteDecimal((ulong)(uint)call.Tid, destination);
        destination[n++] = (byte)' ';
        destination[n++] = (byte)call.Kind;
        destination[n++] = (byte)' ';
        switch (call.Kind)
        {
            case TraceCallKind.Malloc:
                n += WriteDecimal(call.Argument1, destination[n..]);
                destination[n++] = (byte)' ';
                n += WritePointer(call.Result, destination[n..]);
                break;
            case TraceCallKind.Calloc:
            case TraceCallKind.Memalign:
                n += WriteDecimal(call.Argument1, destination[n..]);
                destination[n++] = (byte)' ';
                n += WriteDecimal(call.Argument2, destination[n..]);
                destination[n++] = (byte)' ';
                n += WritePointer(call.Result, destination[n..]);
                break;
            case TraceCallKind.Realloc:
                n += WritePointer(call.Argument1, destination[n..]);
                destination[n++] = (byte)' ';
                n += WriteDecimal(call.Argument2, destination[n..]);
                destination[n++] = (byte)' ';
                n += WritePointer(call.Result, destination[n..]);
                break;
            case TraceCallKind.Free:
                n += WritePointer(call.Argument1, destination[n..]);
                break;
            default:
                throw new ArgumentException($"Unknown call kind {(int)call.Kind}.", nameof(call));
        }

        if (call.HasHeader || call.HasUsable)
        {
            destination[n++] = (byte)' ';
            destination[n++] = (byte)'#';
            if (call.HasHeader)
            {
                destination[n++] = (byte)' ';
                HdrWord.CopyTo(destination[n..]);
                n += HdrWord.Length;
                n += WriteHex(call.Header, destination[n..]);
            }

            if (call.HasUsable)
            {
                destination[n++] = (byte)' ';
                UsableWord.CopyTo(destination[n..]);
                n += UsableWord.Length;
                n += WriteDecimal(call.Usable, destination[n..]);
            }
        }

        return n;
    }

    /// <summary>Formats <c># heap-start 0x…</c>, <c># brk 0x…</c> or <c># thread-exit TID</c> (the tid in <paramref name="address"/>).</summary>
    public static int FormatDirective(TraceRecordKind kind, ulong address, Span<byte> destination)
    {
        destination[0] = (byte)'#';
        destination[1] = (byte)' ';
        int n = 2;
        ReadOnlySpan<byte> word = kind switch
        {
            TraceRecordKind.HeapStart => HeapStartWord,
            TraceRecordKind.ThreadExit => ThreadExitWord,
            _ => BrkWord,
        };
        word.CopyTo(destination[n..]);
        n += word.Length;
        destination[n++] = (byte)' ';
        n += kind == TraceRecordKind.ThreadExit ? WriteDecimal(address, destination[n..]) : WritePointer(address, destination[n..]);
        return n;
    }

    public static int WriteDecimal(ulong value, Span<byte> destination)
    {
        Utf8Formatter.TryFormat(value, destination, out int written);
        return written;
    }

    public static int WriteHex(ulong value, Span<byte> destination)
    {
        destination[0] = (byte)'0';
        destination[1] = (byte)'x';
        Utf8Formatter.TryFormat(value, destination[2..], out int written, new System.Buffers.StandardFormat('x'));
        return written + 2;
    }

    public static int WritePointer(ulong value, Span<byte> destination)
    {
        if (value == 0)
        {
            Nil.CopyTo(destination);
            return Nil.Length;
        }

        return WriteHex(value, destination);
    }

    /// <summary>
    /// Parses one line (without its terminator). Returns false for a blank line or a comment that carries no directive.
    /// Throws <see cref="TraceFormatException"/> naming the line for anything malformed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryParseLine(ReadOnlySpan<byte> line, long lineNumber, string? source, out TraceRecord record)
    {
        record = default;
        int p = SkipBlanks(line, 0);
        if (p == line.Length)
        {
            return false;
        }

        if (line[p] == (byte)'#')
        {
            return TryParseDirective(line, p + 1, lineNumber, source, out record);
        }

        ulong tid = ParseDecimal(line, ref p, "thread id", lineNumber, source);
        if (tid > int.MaxValue)
        {
            throw Fail("thread id out of range", line, lineNumber, source);
        }

        p = ExpectBlanks(line, p, "call kind", lineNumber, source);
        byte kindByte = line[p++];
        if (p < line.Length && !IsBlank(line[p]))
        {
            throw Fail("unknown call kind (expected one of m c r a f)", line, lineNumber, source);
        }

        ulong a1, a2 = 0, result = 0;
        TraceCallKind kind;
        switch (kindByte)
        {
            case (byte)'m':
                kind = TraceCallKind.Malloc;
                p = ExpectBlanks(line, p, "size", lineNumber, source);
                a1 = ParseDecimal(line, ref p, "size", lineNumber, source);
                p = ExpectBlanks(line, p, "result", lineNumber, source);
                result = ParsePointer(line, ref p, "result", lineNumber, source);
                break;
            case (byte)'c':
            case (byte)'a':
                kind = kindByte == (byte)'c' ? TraceCallKind.Calloc : TraceCallKind.Memalign;
                string first = kindByte == (byte)'c' ? "count" : "alignment";
                p = ExpectBlanks(line, p, first, lineNumber, source);
                a1 = ParseDecimal(line, ref p, first, lineNumber, source);
                p = ExpectBlanks(line, p, "size", lineNumber, source);
                a2 = ParseDecimal(line, ref p, "size", lineNumber, source);
                p = ExpectBlanks(line, p, "result", lineNumber, source);
                result = ParsePointer(line, ref p, "result", lineNumber, source);
                break;
            case (byte)'r':
                kind = TraceCallKind.Realloc;
                p = ExpectBlanks(line, p, "pointer", lineNumber, source);
                a1 = ParsePointer(line, ref p, "pointer", lineNumber, source);
                p = ExpectBlanks(line, p, "size", lineNumber, source);
                a2 = ParseDecimal(line, ref p, "size", lineNumber, source);
                p = ExpectBlanks(line, p, "result", lineNumber, source);
                result = ParsePointer(line, ref p, "result", lineNumber, source);
                break;
            case (byte)'f':
                kind = TraceCallKind.Free;
                p = ExpectBlanks(line, p, "pointer", lineNumber, source);
                a1 = ParsePointer(line, ref p, "pointer", lineNumber, source);
                break;
            default:
                throw Fail("unknown call kind (expected one of m c r a f)", line, lineNumber, source);
        }

        bool hasHeader = false, hasUsable = false;
        ulong header = 0, usable = 0;
        p = SkipBlanks(line, p);
        if (p < line.Length)
        {
            if (line[p] != (byte)'#')
            {
                throw Fail("unexpected text after the call", line, lineNumber, source);
            }

            ParseFacts(line, p + 1, lineNumber, source, ref hasHeader, ref header, ref hasUsable, ref usable);
        }

        record = new TraceRecord
        {
            Kind = TraceRecordKind.Call,
            Call = new TraceCall((int)tid, kind, a1, a2, result, lineNumber) { Header = header, HasHeader = hasHeader, Usable = usable, HasUsable = hasUsable },
            Line = lineNumber,
        };
        return true;
    }

    /// <summary>
    /// The fast path of <see cref="TryParseLine"/> for the lines a recorder writes: a call with single spaces, decimal
    /// numbers of at most 19 digits, <c>0x</c> pointers of at most 16 digits or <c>(nil)</c>, and nothing after the
    /// result. Returns false for anything else (comments, facts, tabs, long numbers, errors), which the caller then
    /// parses with <see cref="TryParseLine"/>; when it returns true, the record is the one <see cref="TryParseLine"/>
    /// would have returned.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryParseCanonicalCall(ReadOnlySpan<byte> line, long lineNumber, out TraceRecord record)
    {
        record = default;
        int p = 0;
        if (!TryDecimal(line, ref p, out ulong tid) || tid > int.MaxValue || (uint)(p + 2) >= (uint)line.Length || line[p + 2] != (byte)' ')
        {
            return false;
        }

        byte kindByte = line[p + 1];
        p += 3;
        ulong a1, a2 = 0, result = 0;
        TraceCallKind kind;
        switch (kindByte)
        {
            case (byte)'m':
                kind = TraceCallKind.Malloc;
                if (!TryDecimal(line, ref p, out a1) || !TrySpace(line, ref p) || !TryPointer(line, ref p, out result))
                {
                    return false;
                }

                break;
            case (byte)'f':
                kind = TraceCallKind.Free;
                if (!TryPointer(line, ref p, out a1))
                {
                    return false;
                }

                break;
            case (byte)'r':
                kind = TraceCallKind.Realloc;
                if (!TryPointer(line, ref p, out a1) || !TrySpace(line, ref p) || !TryDecimal(line, ref p, out a2)
                    || !TrySpace(line, ref p) || !TryPointer(line, ref p, out result))
                {
                    return false;
                }

                break;
            case (byte)'c':
            case (byte)'a':
                kind = kindByte == (byte)'c' ? TraceCallKind.Calloc : TraceCallKind.Memalign;
                if (!TryDecimal(line, ref p, out a1) || !TrySpace(line, ref p) || !TryDecimal(line, ref p, out a2)
                    || !TrySpace(line, ref p) || !TryPointer(line, ref p, out result))
                {
                    return false;
                }

                break;
            default:
                return false;
        }

        if (p != line.Length)
        {
            return false;
        }

        record = new TraceRecord
        {
            Kind = TraceRecordKind.Call,
            Call = new TraceCall((int)tid, kind, a1, a2, result, lineNumber),
            Line = lineNumber,
        };
        return true;
    }

    /// <summary>1 to 19 decimal digits at <paramref name="p"/>, then the end or a space (not consumed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryDecimal(ReadOnlySpan<byte> line, ref int p, out ulong value)
    {
        int start = p;
        value = 0;
        while ((uint)p < (uint)line.Length)
        {
            uint digit = (uint)(line[p] - (byte)'0');
            if (digit > 9)
            {
                break;
            }

            value = (value * 10) + digit;
            p++;
        }

        int digits = p - start;
        return digits is > 0 and <= 19 && (p == line.Length || line[p] == (byte)' ');
    }

    /// <summary><c>0x</c> and 1 to 16 hex digits, or <c>(nil)</c>, at <paramref name="p"/>, then the end or a space (not consumed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryPointer(ReadOnlySpan<byte> line, ref int p, out ulong value)
    {
        value = 0;
        if ((uint)(p + 2) >= (uint)line.Length)
        {
            return false;
        }

        if (line[p] != (byte)'0' || line[p + 1] != (byte)'x')
        {
            if (!line[p..].StartsWith(Nil))
            {
                return false;
            }

            p += Nil.Length;
            return p == line.Length || line[p] == (byte)' ';
        }

        p += 2;
        int start = p;
        while ((uint)p < (uint)line.Length)
        {
            int digit = HexValue(line[p]);
            if (digit < 0)
            {
                break;
            }

            value = (value << 4) | (uint)digit;
            p++;
        }

        int digits = p - start;
        return digits is > 0 and <= 16 && (p == line.Length || line[p] == (byte)' ');
    }

    /// <summary>Exactly one space at <paramref name="p"/> (consumed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TrySpace(ReadOnlySpan<byte> line, ref int p)
    {
        if ((uint)p < (uint)line.Length && line[p] == (byte)' ')
        {
            p++;
            return true;
        }

        return false;
    }

    private static bool TryParseDirective(ReadOnlySpan<byte> line, int p, long lineNumber, string? source, out TraceRecord record)
    {
        record = default;
        p = SkipBlanks(line, p);
        ReadOnlySpan<byte> rest = line[p..];
        TraceRecordKind kind;
        int wordLength;
        if (rest.StartsWith(HeapStartWord) && (rest.Length == HeapStartWord.Length || IsBlank(rest[HeapStartWord.Length])))
        {
            kind = TraceRecordKind.HeapStart;
            wordLength = HeapStartWord.Length;
        }
        else if (rest.StartsWith(BrkWord) && (rest.Length == BrkWord.Length || IsBlank(rest[BrkWord.Length])))
        {
            kind = TraceRecordKind.Brk;
            wordLength = BrkWord.Length;
        }
        else if (rest.StartsWith(ThreadExitWord) && (rest.Length == ThreadExitWord.Length || IsBlank(rest[ThreadExitWord.Length])))
        {
            p = ExpectBlanks(line, p + ThreadExitWord.Length, "thread id", lineNumber, source);
            ulong tid = ParseDecimal(line, ref p, "thread id", lineNumber, source);
            if (tid > int.MaxValue)
            {
                throw Fail("thread id out of range", line, lineNumber, source);
            }

            record = TraceRecord.ForThreadExit((int)tid, lineNumber);
            return true;
        }
        else
        {
            return false;
        }

        p += wordLength;
        string what = kind == TraceRecordKind.HeapStart ? "heap-start address" : "brk address";
        p = ExpectBlanks(line, p, what, lineNumber, source);
        ulong address = ParsePointer(line, ref p, what, lineNumber, source);
        record = new TraceRecord { Kind = kind, Address = address, Line = lineNumber };
        return true;
    }

    private static void ParseFacts(ReadOnlySpan<byte> line, int p, long lineNumber, string? source, ref bool hasHeader, ref ulong header, ref bool hasUsable, ref ulong usable)
    {
        while (true)
        {
            p = SkipBlanks(line, p);
            if (p >= line.Length)
            {
                return;
            }

            ReadOnlySpan<byte> rest = line[p..];
            if (rest.StartsWith(HdrWord))
            {
                p += HdrWord.Length;
                header = ParsePointer(line, ref p, "hdr value", lineNumber, source);
                hasHeader = true;
            }
            else if (rest.StartsWith(UsableWord))
            {
                p += UsableWord.Length;
                usable = ParseDecimal(line, ref p, "usable value", lineNumber, source);
                hasUsable = true;
            }
            else
            {
                // Comments may carry facts this reader does not know; skip the word.
                while (p < line.Length && !IsBlank(line[p]))
                {
                    p++;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsBlank(byte b) => b == (byte)' ' || b == (byte)'\t';

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SkipBlanks(ReadOnlySpan<byte> line, int p)
    {
        while (p < line.Length && IsBlank(line[p]))
        {
            p++;
        }

        return p;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ExpectBlanks(ReadOnlySpan<byte> line, int p, string next, long lineNumber, string? source)
    {
        if (p >= line.Length)
        {
            throw Fail($"line ends before the {next}", line, lineNumber, source);
        }

        if (!IsBlank(line[p]))
        {
            throw Fail($"expected a space before the {next}", line, lineNumber, source);
        }

        return SkipBlanks(line, p);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ParseDecimal(ReadOnlySpan<byte> line, ref int p, string what, long lineNumber, string? source)
    {
        int start = p;
        ulong value = 0;
        while (p < line.Length)
        {
            uint digit = (uint)(line[p] - (byte)'0');
            if (digit > 9)
            {
                break;
            }

            // 19 decimal digits always fit in 64 bits; only longer numbers need the overflow check.
            if (p - start >= 19 && value > (ulong.MaxValue - digit) / 10)
            {
                throw Fail($"{what} does not fit in 64 bits", line, lineNumber, source);
            }

            value = (value * 10) + digit;
            p++;
        }

        if (p == start || (p < line.Length && !IsBlank(line[p])))
        {
            throw Fail($"expected a decimal {what}", line, lineNumber, source);
        }

        return value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ParsePointer(ReadOnlySpan<byte> line, ref int p, string what, long lineNumber, string? source)
    {
        ReadOnlySpan<byte> rest = line[p..];
        if (rest.StartsWith(Nil))
        {
            p += Nil.Length;
            if (p < line.Length && !IsBlank(line[p]))
            {
                throw Fail($"expected a pointer as the {what}", line, lineNumber, source);
            }

            return 0;
        }

        if (rest.Length >= 2 && rest[0] == (byte)'0' && (rest[1] == (byte)'x' || rest[1] == (byte)'X'))
        {
            p += 2;
            int start = p;
            ulong value = 0;
            while (p < line.Length)
            {
                int digit = HexValue(line[p]);
                if (digit < 0)
                {
                    break;
                }

                if ((value >> 60) != 0)
                {
                    throw Fail($"{what} does not fit in 64 bits", line, lineNumber, source);
                }

                value = (value << 4) | (uint)digit;
                p++;
            }

            if (p == start || (p < line.Length && !IsBlank(line[p])))
            {
                throw Fail($"expected a hexadecimal pointer as the {what}", line, lineNumber, source);
            }

            return value;
        }

        if (rest.Length >= 1 && rest[0] == (byte)'0' && (rest.Length == 1 || IsBlank(rest[1])))
        {
            p++;
            return 0;
        }

        throw Fail($"expected a pointer (0x…, (nil) or 0) as the {what}", line, lineNumber, source);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int HexValue(byte b)
    {
        uint d = (uint)(b - (byte)'0');
        if (d <= 9)
        {
            return (int)d;
        }

        uint l = (uint)((b | 0x20) - (byte)'a');
        return l <= 5 ? (int)l + 10 : -1;
    }

    internal static TraceFormatException Fail(string reason, ReadOnlySpan<byte> line, long lineNumber, string? source)
    {
        const int MaxShown = 200;
        ReadOnlySpan<byte> shown = line.Length > MaxShown ? line[..MaxShown] : line;
        var sb = new StringBuilder(shown.Length + 3);
        foreach (byte b in shown)
        {
            sb.Append(b is >= 0x20 and < 0x7f ? (char)b : '?');
        }

        if (line.Length > MaxShown)
        {
            sb.Append('…');
        }

        return new TraceFormatException(reason, source, lineNumber, sb.ToString());
    }
}
