// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Os.Tests.Unit;

public sealed class MemoryAccessTests
{
    private const MapFlags Anon = MapFlags.PrivateAnonymous;

    [Fact]
    public void FirstTouch_ReadsZeroAndCountsOneFault()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0, 2 * 4096, Protection.ReadWrite, Anon).Value;
        Assert.Equal(0, os.ReadByte(a + 100));
        Assert.Equal(0UL, os.ReadUInt64(a + 200));
        var stats = os.GetStatistics();
        Assert.Equal(1, stats.PageFaults);
        Assert.Equal(4096UL, stats.RssBytes);
        os.WriteByte(a + 4096, 1);
        Assert.Equal(2, os.GetStatistics().PageFaults);
    }

    [Fact]
    public void Words_AreLittleEndian()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0, 4096, Protection.ReadWrite, Anon).Value;
        os.WriteUInt64(a, 0x0807060504030201);
        for (int i = 0; i < 8; i++)
        {
            Assert.Equal((byte)(i + 1), os.ReadByte(a + (ulong)i));
        }
    }

    [Fact]
    public void Words_UnalignedAndCrossingPages_RoundTrip()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0, 2 * 4096, Protection.ReadWrite, Anon).Value;
        os.WriteUInt64(a + 4093, 0x1122334455667788);
        Assert.Equal(0x1122334455667788UL, os.ReadUInt64(a + 4093));
        Assert.Equal(0x88, os.ReadByte(a + 4093));
        Assert.Equal(0x11, os.ReadByte(a + 4100));
        os.WriteUInt64(a + 3, 0xAABBCCDDEEFF0011);
        Assert.Equal(0xAABBCCDDEEFF0011UL, os.ReadUInt64(a + 3));
    }

    [Fact]
    public void Word_CrossingIntoUnmappedPage_FaultsAtTheFirstBadByteAndWritesNothing()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0x10000000, 4096, Protection.ReadWrite, Anon).Value;
        var fault = Assert.Throws<SegmentationFaultException>(() => os.WriteUInt64(a + 4092, ulong.MaxValue));
        Assert.Equal(a + 4096, fault.Address);
        Assert.Equal(0UL, os.ReadUInt64(a + 4088));
    }

    [Fact]
    public void Spans_AcrossPages_RoundTrip()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0, 4 * 4096, Protection.ReadWrite, Anon).Value;
        byte[] data = Enumerable.Range(0, 10000).Select(i => (byte)(i * 7)).ToArray();
        os.Write(a + 1000, data);
        byte[] back = new byte[data.Length];
        os.Read(a + 1000, back);
        Assert.Equal(data, back);
        Assert.Equal(3, os.GetStatistics().PageFaults);
    }

    [Fact]
    public void Write_IntoProtectedPage_FaultsBeforeWritingAnything()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0, 2 * 4096, Protection.ReadWrite, Anon).Value;
        os.Mprotect(a + 4096, 4096, Protection.Read);
        var fault = Assert.Throws<SegmentationFaultException>(() => os.Write(a + 4000, new byte[200]));
        Assert.Equal(a + 4096, fault.Address);
        Assert.True(fault.Mapped);
        Assert.Equal(0, os.GetStatistics().PageFaults);
    }

    [Fact]
    public void Fill_SetsEveryByte()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0, 3 * 4096, Protection.ReadWrite, Anon).Value;
        os.Fill(a + 10, 3 * 4096 - 20, 0xAB);
        Assert.Equal(0, os.ReadByte(a + 9));
        Assert.Equal(0xAB, os.ReadByte(a + 10));
        Assert.Equal(0xAB, os.ReadByte(a + 2 * 4096 + 100));
        Assert.Equal(0xAB, os.ReadByte(a + 3 * 4096 - 11));
        Assert.Equal(0, os.ReadByte(a + 3 * 4096 - 10));
    }

    [Theory]
    [InlineData(0, 100, 5000)]
    [InlineData(100, 0, 5000)]
    [InlineData(0, 8, 9000)]
    [InlineData(8, 0, 9000)]
    [InlineData(0, 4096, 8192)]
    [InlineData(4096, 0, 8192)]
    [InlineData(0, 5000, 3000)]
    public void Copy_OverlappingRanges_BehavesLikeMemmove(int destinationOffset, int sourceOffset, int length)
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0, 4 * 4096, Protection.ReadWrite, Anon).Value;
        byte[] image = Enumerable.Range(0, 4 * 4096).Select(i => (byte)(i * 31 + 7)).ToArray();
        os.Write(a, image);
        os.Copy(a + (ulong)destinationOffset, a + (ulong)sourceOffset, (ulong)length);
        Array.Copy(image, sourceOffset, image, destinationOffset, length);
        byte[] back = new byte[image.Length];
        os.Read(a, back);
        Assert.Equal(image, back);
    }

    [Fact]
    public void Copy_BetweenMappings_Works()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0, 2 * 4096, Protection.ReadWrite, Anon).Value;
        ulong b = os.Mmap(0x10000000, 2 * 4096, Protection.ReadWrite, Anon).Value;
        os.Fill(a, 8192, 3);
        os.Copy(b + 1, a, 8000);
        Assert.Equal(0, os.ReadByte(b));
        Assert.Equal(3, os.ReadByte(b + 8000));
        Assert.Equal(0, os.ReadByte(b + 8001));
    }

    [Fact]
    public void Copy_FromUnmapped_Faults()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0, 4096, Protection.ReadWrite, Anon).Value;
        var fault = Assert.Throws<SegmentationFaultException>(() => os.Copy(a, 0x10000000, 16));
        Assert.Equal(0x10000000UL, fault.Address);
        Assert.Equal(MemoryAccessKind.Read, fault.Access);
    }

    [Fact]
    public void Access_NullAndKernelAddresses_Fault()
    {
        using var os = new SimulatedOs();
        Assert.Throws<SegmentationFaultException>(() => os.ReadByte(0));
        Assert.Throws<SegmentationFaultException>(() => os.ReadUInt64(8));
        Assert.Throws<SegmentationFaultException>(() => os.WriteUInt64(0xffffffff81000000, 1));
        Assert.Throws<SegmentationFaultException>(() => os.Read(ulong.MaxValue - 2, new byte[8]));
        var fault = Assert.Throws<SegmentationFaultException>(() => os.ReadUInt64(ulong.MaxValue));
        Assert.Equal(ulong.MaxValue, fault.Address);
    }

    [Fact]
    public void IsAccessible_ChecksWithoutTouching()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0, 2 * 4096, Protection.ReadWrite, Anon).Value;
        os.Mprotect(a + 4096, 4096, Protection.Read);
        Assert.True(os.IsAccessible(a, 8192, Protection.Read));
        Assert.False(os.IsAccessible(a, 8192, Protection.ReadWrite));
        Assert.True(os.IsAccessible(a, 4096, Protection.ReadWrite));
        Assert.False(os.IsAccessible(a + 8192, 1, Protection.None));
        Assert.True(os.IsAccessible(a + 8192, 0, Protection.Read));
        Assert.False(os.IsAccessible(ulong.MaxValue - 1, 4, Protection.Read));
        Assert.Equal(0, os.GetStatistics().PageFaults);
    }

    [Fact]
    public void DangerousGetSpan_SeesAndChangesMemory()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0, 3 * 4096, Protection.ReadWrite, Anon).Value;
        os.WriteUInt64(a + 4096, 0x0102);
        Span<byte> span = os.DangerousGetSpan(a + 4000, 5000);
        Assert.Equal(0x02, span[96]);
        span[4999] = 0x77;
        Assert.Equal(0x77, os.ReadByte(a + 8999));
        Assert.Equal(3UL * 4096, os.GetStatistics().RssBytes);
    }

    [Fact]
    public void DangerousGetSpan_ReadOnlyOrUnmapped_Faults()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0, 4096, Protection.Read, Anon).Value;
        Assert.Throws<SegmentationFaultException>(() => os.DangerousGetSpan(a, 8));
        Assert.Throws<SegmentationFaultException>(() => os.DangerousGetSpan(a + 4096, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => os.DangerousGetSpan(a, -1));
        Assert.True(os.DangerousGetSpan(a + 4096, 0).IsEmpty);
    }

    [Fact]
    public void DangerousGetSpan_AcrossSeparatelyBackedPieces_ThrowsArgumentException()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0x10000000, 4096, Protection.ReadWrite, Anon).Value;
        os.Mmap(0x10000000 + 4096, 4096, Protection.ReadWrite, Anon | MapFlags.Fixed);
        Assert.Equal(1, os.MapCount);

        // Whether the host placed the two blocks next to each other is up to the host; both outcomes are valid.
        try
        {
            Span<byte> span = os.DangerousGetSpan(a, 8192);
            span[8191] = 1;
            Assert.Equal(1, os.ReadByte(a + 8191));
        }
        catch (ArgumentException e)
        {
            Assert.Contains("separate host blocks", e.Message);
        }
    }

    [Fact]
    public void Access_AfterDispose_ThrowsObjectDisposed()
    {
        var os = new SimulatedOs();
        ulong a = os.Mmap(0, 4096, Protection.ReadWrite, Anon).Value;
        os.WriteUInt64(a, 1);
        os.Dispose();
        Assert.Throws<ObjectDisposedException>(() => os.ReadUInt64(a));
        Assert.Throws<ObjectDisposedException>(() => os.Brk(0));
        os.Dispose();
    }

    [Fact]
    public void LargePages_AreSupported()
    {
        using var os = new SimulatedOs(new SimulatedOsOptions { PageSize = 65536, BreakStart = 0x555555560000, MmapBase = 0x7ffff7ff0000 });
        var r = os.Mmap(0, 1, Protection.ReadWrite, Anon);
        Assert.Equal(0x7ffff7ff0000UL - 65536, r.Value);
        os.WriteUInt64(r.Value + 65528, 5);
        Assert.Equal(5UL, os.ReadUInt64(r.Value + 65528));
        Assert.Equal(65536UL, os.GetStatistics().RssBytes);
        Assert.Equal(0x555555560000UL + 1, os.Brk(0x555555560000 + 1));
        Assert.Equal(65536UL, os.GetMappings()[0].Length);
    }
}
