// Copyright (c) Allocators contributors. MIT License.

using Allocators.Workloads.Tests.Infrastructure;

namespace Allocators.Workloads.Tests.Unit;

public sealed class TraceReaderTests
{
    private const string Example = """
        # heap-start 0x5582b80ae000
        4318 m 5 0x5582b80ae2a0 # hdr=0x21
        # brk 0x5582b80cf000
        4318 f 0x5582b80ae2a0
        4318 m 472 0x5582b80ae2c0 # hdr=0x1e1
        4318 r (nil) 1600 0x5582b80af4b0 # hdr=0x651 usable=1608
        4318 c 3 8 0x10 # some comment words
        17 a 64 100 (nil)
        17 f (nil)
        17 r 0x5582b80af4b0 0 0
        """;

    [Fact]
    public void TryRead_SpecExample_ParsesEveryRecord()
    {
        List<TraceRecord> records = TraceText.ReadAll(Example);

        Assert.Equal(10, records.Count);
        Assert.Equal(TraceRecord.ForHeapStart(0x5582b80ae000, 1), records[0]);
        Assert.Equal(TraceCallKind.Malloc, records[1].Call.Kind);
        Assert.Equal(4318, records[1].Call.Tid);
        Assert.Equal(5UL, records[1].Call.Size);
        Assert.Equal(0x5582b80ae2a0UL, records[1].Call.Result);
        Assert.True(records[1].Call.HasHeader);
        Assert.Equal(0x21UL, records[1].Call.Header);
        Assert.False(records[1].Call.HasUsable);
        Assert.Equal(2, records[1].Line);
        Assert.Equal(TraceRecord.ForBrk(0x5582b80cf000, 3), records[2]);
        Assert.Equal(TraceCallKind.Free, records[3].Call.Kind);
        Assert.Equal(0x5582b80ae2a0UL, records[3].Call.Pointer);
        TraceCall realloc = records[5].Call;
        Assert.Equal((TraceCallKind.Realloc, 0UL, 1600UL, 0x5582b80af4b0UL, 0x651UL, 1608UL), (realloc.Kind, realloc.Pointer, realloc.Size, realloc.Result, realloc.Header, realloc.Usable));
        TraceCall calloc = records[6].Call;
        Assert.Equal((3UL, 8UL, 24UL), (calloc.Count, calloc.Size, calloc.RequestedBytes));
        Assert.False(calloc.HasHeader);
        Assert.Equal((TraceCallKind.Memalign, 64UL, 100UL, 0UL), (records[7].Call.Kind, records[7].Call.Alignment, records[7].Call.Size, records[7].Call.Result));
        Assert.Equal(0UL, records[8].Call.Pointer);
        Assert.Equal(0UL, records[9].Call.Result);
    }

    [Fact]
    public void HeapStart_AfterDirective_IsKnown()
    {
        using TraceReader reader = TraceText.Reader(Example);
        Assert.Null(reader.HeapStart);
        Assert.Equal(8, reader.ReadCalls().Count());
        Assert.Equal(0x5582b80ae000UL, reader.HeapStart);
        Assert.Equal(8, reader.CallsRead);
    }

    [Fact]
    public void TryRead_CrLfAndBlankLinesAndNoFinalNewline_Accepted()
    {
        List<TraceRecord> records = TraceText.ReadAll("1 m 8 0x10\r\n\r\n   \n# just a comment\n1 f 0x10");
        Assert.Equal(2, records.Count);
        Assert.Equal(5, records[1].Line);
    }

    [Fact]
    public void ToString_Call_FormatsAsTextLine()
    {
        TraceCall call = TraceCall.Realloc(7, 0x10, 32, 0x20) with { Header = 0x31, HasHeader = true, Usable = 40, HasUsable = true };
        Assert.Equal("7 r 0x10 32 0x20 # hdr=0x31 usable=40", call.ToString());
        Assert.Equal("7 f (nil)", TraceCall.Free(7, 0).ToString());
    }

    [Theory]
    [Trait("Category", "BadInput")]
    [InlineData("1 m 8 0x10\n1 x 8 0x10\n", 2, "unknown call kind")]
    [InlineData("1 m 8\n", 1, "line ends before the result")]
    [InlineData("1 m -8 0x10\n", 1, "expected a decimal size")]
    [InlineData("1 m 8 0x10 extra\n", 1, "unexpected text after the call")]
    [InlineData("abc m 8 0x10\n", 1, "expected a decimal thread id")]
    [InlineData("1 m 8 16\n", 1, "expected a pointer")]
    [InlineData("1 m 8 0xzz\n", 1, "expected a hexadecimal pointer")]
    [InlineData("1 m 99999999999999999999 0x10\n", 1, "does not fit in 64 bits")]
    [InlineData("1 m 8 0x11112222333344445\n", 1, "does not fit in 64 bits")]
    [InlineData("# heap-start\n", 1, "line ends before the heap-start address")]
    [InlineData("1 m 8 0x10\n# brk nope\n", 2, "expected a pointer")]
    [InlineData("1 m 8 0x10 # hdr=zz\n", 1, "hdr value")]
    [InlineData("99999999999 m 8 0x10\n", 1, "thread id out of range")]
    [InlineData("1 mm 8 0x10\n", 1, "unknown call kind")]
    [InlineData("1 f\n", 1, "line ends before the pointer")]
    public void TryRead_MalformedLine_ThrowsWithLineNumberAndText(string text, long line, string reason)
    {
        using TraceReader reader = TraceText.Reader(text, "bad.trace");
        TraceFormatException e = Assert.Throws<TraceFormatException>(() => reader.ToList());
        Assert.Equal(line, e.Line);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.Contains("bad.trace:" + line, e.Message, StringComparison.Ordinal);
        Assert.Equal(text.Split('\n')[line - 1], e.LineText);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Constructor_EmptyStream_Throws()
    {
        TraceFormatException e = Assert.Throws<TraceFormatException>(() => new TraceReader(new MemoryStream(), "empty.trace"));
        Assert.Contains("empty", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Open_MissingFile_ThrowsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => TraceReader.Open(Path.Combine(Path.GetTempPath(), Guid.NewGuid() + ".trace")));
    }

    [Theory]
    [Trait("Category", "BadInput")]
    [InlineData(new byte[] { 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0, 0 }, "xz")]
    [InlineData(new byte[] { 0x42, 0x5a, 0x68, 0x39, 0x31, 0x41 }, "bzip2")]
    [InlineData(new byte[] { 0x04, 0x22, 0x4d, 0x18, 0x60 }, "lz4")]
    [InlineData(new byte[] { 0x50, 0x4b, 0x03, 0x04, 0x14 }, "zip")]
    public void Constructor_UnsupportedCompression_ThrowsNamingIt(byte[] bytes, string name)
    {
        TraceFormatException e = Assert.Throws<TraceFormatException>(() => new TraceReader(new MemoryStream(bytes), "x"));
        Assert.Contains("unsupported compression: " + name, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void TryRead_BinaryGarbage_ThrowsMalformedLine()
    {
        byte[] bytes = [0x00, 0x01, 0x02, 0x03, 0xff, 0x0a];
        TraceFormatException e = Assert.Throws<TraceFormatException>(() => TraceText.ReadAll(bytes));
        Assert.Equal(1, e.Line);
    }

    [Fact]
    public void TryRead_LongTraceAcrossBufferBoundaries_ReadsEveryLine()
    {
        var sb = new System.Text.StringBuilder();
        const int N = 200_000;
        for (int i = 0; i < N; i++)
        {
            sb.Append(i % 5).Append(" m ").Append(i).Append(" 0x").Append((0x1000 + (i * 16)).ToString("x")).Append(" # hdr=0x21\n");
        }

        using TraceReader reader = TraceText.Reader(sb.ToString());
        long count = 0, wrong = 0;
        foreach (TraceCall call in reader.ReadCalls())
        {
            if (call.Size != (ulong)count || call.Line != count + 1 || call.Tid != count % 5 || call.Header != 0x21)
            {
                wrong++;
            }

            count++;
        }

        Assert.Equal(N, count);
        Assert.Equal(0, wrong);
    }

    [Fact]
    public void SharedTraces_AllParse()
    {
        const string Dir = "/work/shared/traces";
        if (!Directory.Exists(Dir))
        {
            return;
        }

        foreach (string file in Directory.EnumerateFiles(Dir, "*.trace"))
        {
            using TraceReader reader = TraceReader.Open(file);
            Assert.True(reader.ReadCalls().Count() > 100, file);
            Assert.NotNull(reader.HeapStart);
        }
    }
}
