// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Os.Tests.Unit;

public sealed class LargeMappingTests
{
    private const ulong GiB = 1UL << 30;

    [Fact]
    public void Mmap_OneGiB_RaisesVszByOneGiBAndRssOnlyByTouchedPages()
    {
        using var os = new SimulatedOs();
        var before = os.GetStatistics();
        var r = os.Mmap(0, GiB, Protection.ReadWrite, MapFlags.PrivateAnonymous);
        Assert.True(r.Succeeded);
        var mapped = os.GetStatistics();
        Assert.Equal(before.VszBytes + GiB, mapped.VszBytes);
        Assert.Equal(before.RssBytes, mapped.RssBytes);

        // Touch 3 pages spread over the mapping (first, middle, last byte): RSS grows by exactly 3 pages.
        os.WriteByte(r.Value, 1);
        os.WriteUInt64(r.Value + GiB / 2 + 8, 2);
        Assert.Equal(0, os.ReadByte(r.Value + GiB - 1));
        var touched = os.GetStatistics();
        Assert.Equal(before.RssBytes + 3 * 4096UL, touched.RssBytes);
        Assert.Equal(3, touched.PageFaults - before.PageFaults);
        Assert.Equal(3 * 4096UL, os.GetMappings().Single().ResidentBytes);

        Assert.True(os.Munmap(r.Value, GiB).Succeeded);
        Assert.Equal(before.VszBytes, os.GetStatistics().VszBytes);
        Assert.Equal(before.RssBytes, os.GetStatistics().RssBytes);
    }

    [Fact]
    public void Brk_OneGiB_CostsNothingUntilTouched()
    {
        using var os = new SimulatedOs();
        ulong start = os.InitialBreak;
        Assert.Equal(start + GiB, os.Brk(start + GiB));
        Assert.Equal(GiB, os.GetStatistics().VszBytes);
        Assert.Equal(0UL, os.GetStatistics().RssBytes);
        os.WriteUInt64(start + GiB - 8, 9);
        Assert.Equal(4096UL, os.GetStatistics().RssBytes);
        Assert.Equal(start, os.Brk(start));
        Assert.Equal(0UL, os.GetStatistics().RssBytes);
    }

    [Fact]
    public void Mmap_SixteenGiB_IsCheapForTheHost()
    {
        using var os = new SimulatedOs();
        var r = os.Mmap(0, 16 * GiB, Protection.ReadWrite, MapFlags.PrivateAnonymous | MapFlags.NoReserve);
        Assert.True(r.Succeeded);
        os.WriteUInt64(r.Value + 15 * GiB, 1);
        Assert.Equal(4096UL, os.GetStatistics().RssBytes);
        Assert.True(os.Munmap(r.Value, 16 * GiB).Succeeded);
    }
}
