// Copyright (c) Allocators contributors. MIT License.

using Allocators.Workloads.Tests.Infrastructure;

namespace Allocators.Workloads.Tests.Unit;

public sealed class BinaryTraceTests
{
    private static byte[] WriteBinary(IEnumerable<TraceRecord> records)
    {
        var output = new MemoryStream();
        using (var writer = new BinaryTraceWriter(output, leaveOpen: true))
        {
            foreach (TraceRecord r in records)
            {
                ((ITraceSink)writer).Write(r);
            }
        }

        return output.ToArray();
    }

    private static readonly TraceRecord[] s_records =
    [
        TraceRecord.ForHeapStart(0x55e26f8cf000),
        TraceRecord.ForCall(TraceCall.Malloc(5900, 5, 0x55e26f8cf2a0) with { Header = 0x21, HasHeader = true }),
        TraceRecord.ForBrk(0x55e26f8f0000),
        TraceRecord.ForCall(TraceCall.Free(5900, 0x55e26f8cf2a0)),
        TraceRecord.ForCall(TraceCall.Free(5900, 0)),
        TraceRecord.ForCall(TraceCall.Realloc(12, 0, 1600, 0x7f00_0000_1000) with { Usable = 1608, HasUsable = true }),
        TraceRecord.ForCall(TraceCall.Calloc(12, 3, 8, 0)),
        TraceRecord.ForCall(TraceCall.Memalign(int.MaxValue, 4096, 10, ulong.MaxValue - 15)),
        TraceRecord.ForCall(TraceCall.Realloc(0, ulong.MaxValue - 15, 0, 0)),
    ];

    [Fact]
    public void RoundTrip_AllRecordKinds_SameRecordsWithRecordNumbers()
    {
        byte[] bytes = WriteBinary(s_records);
        using var reader = new TraceReader(new MemoryStream(bytes), "t.bin");
        Assert.Equal(TraceFileFormat.Binary, reader.Format);
        List<TraceRecord> back = reader.ToList();
        Assert.Equal(s_records.Length, back.Count);
        for (int i = 0; i < s_records.Length; i++)
        {
            TraceRecord expected = s_records[i] with { Line = i + 1 };
            if (expected.Kind == TraceRecordKind.Call)
            {
                expected = expected with { Call = expected.Call with { Line = i + 1 } };
            }

            Assert.Equal(expected, back[i]);
        }

        Assert.True(bytes.Length < 100, $"binary is {bytes.Length} bytes");
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Read_TruncatedBinary_ThrowsTruncated()
    {
        byte[] bytes = WriteBinary(s_records);
        for (int cut = 9; cut < bytes.Length; cut++)
        {
            TraceFormatException e = Assert.Throws<TraceFormatException>(() => TraceText.ReadAll(bytes[..cut]));
            Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Convert_TextToBinaryAndBack_PreservesCalls()
    {
        string dir = TestPaths.NewTempDirectory();
        string text = Path.Combine(dir, "a.trace");
        File.WriteAllText(text, "# heap-start 0x1000\n1 m 8 0x1010 # hdr=0x21\n# brk 0x22000\n1 r 0x1010 100 0x1030\n2 f 0x1030\n");
        Assert.Equal(5, TraceConverter.Convert(text, Path.Combine(dir, "a.bin.zst")));
        Assert.Equal(5, TraceConverter.Convert(Path.Combine(dir, "a.bin.zst"), Path.Combine(dir, "b.trace")));
        Assert.Equal(File.ReadAllText(text), File.ReadAllText(Path.Combine(dir, "b.trace")));
        Assert.False(File.Exists(Path.Combine(dir, "a.bin.zst.partial")));
        Directory.Delete(dir, true);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Convert_MalformedInput_LeavesNoOutput()
    {
        string dir = TestPaths.NewTempDirectory();
        string text = Path.Combine(dir, "bad.trace");
        File.WriteAllText(text, "1 m 8 0x10\n1 q\n");
        string output = Path.Combine(dir, "out.bin");
        Assert.Throws<TraceFormatException>(() => TraceConverter.Convert(text, output));
        Assert.Equal([text], Directory.EnumerateFiles(dir));
        Directory.Delete(dir, true);
    }
}
