// Copyright (c) Allocators contributors. MIT License.

using System.IO.Compression;
using System.Text;
using Allocators.Workloads.Tests.Infrastructure;

namespace Allocators.Workloads.Tests.Unit;

public sealed class TraceCompressionTests
{
    private static readonly string s_text = BuildText(20_000);

    private static string BuildText(int calls)
    {
        var sb = new StringBuilder("# heap-start 0x1000\n");
        for (int i = 0; i < calls; i++)
        {
            sb.Append("1 m 24 0x").Append((0x1010 + (i * 32)).ToString("x")).Append(" # hdr=0x21\n");
            if (i % 100 == 0)
            {
                sb.Append("# brk 0x").Append((0x100000 + i).ToString("x")).Append('\n');
            }
        }

        return sb.ToString();
    }

    private static byte[] Gzip(byte[] data)
    {
        var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(data);
        }

        return output.ToArray();
    }

    private static byte[] Zstd(byte[] data)
    {
        using var compressor = new ZstdSharp.Compressor(3);
        return compressor.Wrap(data).ToArray();
    }

    [Fact]
    public void Open_Gzip_ReadsSameRecordsAsPlain()
    {
        byte[] plain = Encoding.ASCII.GetBytes(s_text);
        using var reader = new TraceReader(new MemoryStream(Gzip(plain)), "t.gz");
        Assert.Equal(TraceCompression.Gzip, reader.Compression);
        Assert.Equal(TraceText.ReadAll(plain), reader.ToList());
    }

    [Fact]
    public void Open_Zstd_ReadsSameRecordsAsPlain()
    {
        byte[] plain = Encoding.ASCII.GetBytes(s_text);
        using var reader = new TraceReader(new MemoryStream(Zstd(plain)), "t.zst");
        Assert.Equal(TraceCompression.Zstd, reader.Compression);
        Assert.Equal(TraceText.ReadAll(plain), reader.ToList());
    }

    [Theory]
    [Trait("Category", "BadInput")]
    [InlineData("gz")]
    [InlineData("zst")]
    public void Read_TruncatedCompressedTrace_Throws(string kind)
    {
        byte[] plain = Encoding.ASCII.GetBytes(s_text);
        byte[] packed = kind == "gz" ? Gzip(plain) : Zstd(plain);
        byte[] truncated = packed[..(packed.Length / 2)];
        TraceFormatException e = Assert.Throws<TraceFormatException>(() => TraceText.ReadAll(truncated));
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [Trait("Category", "BadInput")]
    [InlineData("gz")]
    [InlineData("zst")]
    public void Read_CorruptCompressedTrace_Throws(string kind)
    {
        byte[] plain = Encoding.ASCII.GetBytes(s_text);
        byte[] packed = kind == "gz" ? Gzip(plain) : Zstd(plain);
        for (int i = 20; i < packed.Length - 20; i += 7)
        {
            packed[i] ^= 0x5a;
        }

        Assert.Throws<TraceFormatException>(() => TraceText.ReadAll(packed));
    }

    [Theory]
    [InlineData("t.trace.gz", TraceCompression.Gzip)]
    [InlineData("t.trace.zst", TraceCompression.Zstd)]
    [InlineData("t.bin.zst", TraceCompression.Zstd)]
    [InlineData("t.trace", TraceCompression.None)]
    public void Create_ByExtension_WritesReadableTrace(string name, TraceCompression expected)
    {
        string dir = TestPaths.NewTempDirectory();
        string path = Path.Combine(dir, name);
        List<TraceRecord> records = TraceText.ReadAll(s_text);
        using (ITraceSink sink = TraceFile.Create(path))
        {
            foreach (TraceRecord r in records)
            {
                sink.Write(r);
            }
        }

        using TraceReader reader = TraceReader.Open(path);
        Assert.Equal(expected, reader.Compression);
        Assert.Equal(name.Contains(".bin") ? TraceFileFormat.Binary : TraceFileFormat.Text, reader.Format);
        List<TraceRecord> back = reader.ToList();
        Assert.Equal(records.Count, back.Count);
        Assert.Equal(records.Select(r => r.Kind == TraceRecordKind.Call ? r.Call with { Line = 0 } : default), back.Select(r => r.Kind == TraceRecordKind.Call ? r.Call with { Line = 0 } : default));
        Assert.Equal(records.Select(r => r.Address), back.Select(r => r.Address));
        Directory.Delete(dir, true);
    }
}
