// Copyright (c) Allocators contributors. MIT License.

using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Allocators.Workloads.Tests.Properties;

/// <summary>The text parser's fast path agrees with the general one on every line it accepts, and accepts what recorders write.</summary>
[Trait("Category", "Property")]
public sealed class CanonicalLineProperties
{
    private static readonly string[] s_pieces =
    [
        "0", "1", "7", "42", "4242", "2147483647", "2147483648", "9999999999999999999", "18446744073709551615", "99999999999999999999",
        "0x10", "0x7f0000000010", "0xFFFFFFFFFFFFFFFF", "0x00000000000000010", "0x", "0X10", "(nil)", "(nil", "0xg",
        "m", "c", "r", "a", "f", "x", "#", "# usable=24", "hdr=0x21", "-1", "",
    ];

    private static readonly string[] s_separators = [" ", " ", " ", "  ", "\t", ""];

    /// <summary>Lines glued from numbers, pointers, kinds and separators: mostly near-canonical, often malformed.</summary>
    private static Arbitrary<string> Lines =>
        (from count in Gen.Choose(1, 7)
         from pieces in Gen.Elements(s_pieces).ArrayOf(count)
         from separators in Gen.Elements(s_separators).ArrayOf(count)
         select string.Concat(pieces.Zip(separators, (piece, separator) => piece + separator)).TrimEnd(' ')).ToArbitrary();

    private static Arbitrary<TraceCall> Calls =>
        (from tid in Gen.Choose(0, int.MaxValue)
         from kind in Gen.Elements(TraceCallKind.Malloc, TraceCallKind.Calloc, TraceCallKind.Realloc, TraceCallKind.Memalign, TraceCallKind.Free)
         from a1 in Gen.Choose(0, int.MaxValue).Select(v => (ulong)v * 0x1_0000_0001UL)
         from a2 in Gen.Choose(0, int.MaxValue).Select(v => (ulong)v)
         from result in Gen.Elements(0UL, 0x10UL, 0x7f0000000010UL, ulong.MaxValue)
         select new TraceCall(tid, kind, a1, kind is TraceCallKind.Malloc or TraceCallKind.Free ? 0 : a2, kind == TraceCallKind.Free ? 0 : result)).ToArbitrary();

    [Property(MaxTest = 2000)]
    public Property FastPath_AcceptedLine_SameRecordAsGeneralParser() =>
        Prop.ForAll(Lines, text =>
        {
            byte[] line = Encoding.ASCII.GetBytes(text);
            if (!TraceTextFormat.TryParseCanonicalCall(line, 17, out TraceRecord fast))
            {
                return true;
            }

            return TraceTextFormat.TryParseLine(line, 17, "t", out TraceRecord general) && general == fast;
        });

    [Property(MaxTest = 500)]
    public Property FastPath_FormattedCall_AcceptedWithTheSameRecord() =>
        Prop.ForAll(Calls, call =>
        {
            var buffer = new byte[TraceTextFormat.MaxLineLength];
            int n = TraceTextFormat.FormatCall(call, buffer);
            ReadOnlySpan<byte> line = buffer.AsSpan(0, n);
            return TraceTextFormat.TryParseCanonicalCall(line, 3, out TraceRecord fast)
                && TraceTextFormat.TryParseLine(line, 3, "t", out TraceRecord general)
                && general == fast
                && fast.Call == call with { Line = 3 };
        });

    [Theory]
    [InlineData("1 m 24 0x10 # usable=24")]
    [InlineData(" 1 m 24 0x10")]
    [InlineData("1 m 24 0x10 ")]
    [InlineData("1\tm 24 0x10")]
    [InlineData("1 m 24 0")]
    [InlineData("1 m 024 0X10")]
    [InlineData("2147483648 m 24 0x10")]
    [InlineData("1 m 99999999999999999999 0x10")]
    [InlineData("1 f 0x00000000000000010")]
    [InlineData("# heap-start 0x555555559000")]
    public void FastPath_UnusualLine_LeftToTheGeneralParser(string text)
    {
        Assert.False(TraceTextFormat.TryParseCanonicalCall(Encoding.ASCII.GetBytes(text), 1, out _));
    }
}
