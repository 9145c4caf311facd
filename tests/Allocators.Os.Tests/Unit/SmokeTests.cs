// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Os.Tests.Unit;

public sealed class SmokeTests
{
    [Fact]
    public void Mmap_ReadWrite_RoundTrips()
    {
        using var os = new SimulatedOs();
        var r = os.Mmap(0, 135168, Protection.ReadWrite, MapFlags.PrivateAnonymous);
        Assert.True(r.Succeeded);
        Assert.Equal(0x7ffff7fff000UL - 135168, r.Value);
        Assert.Equal(0UL, os.ReadUInt64(r.Value + 8));
        os.WriteUInt64(r.Value + 8, 0xdeadbeef);
        Assert.Equal(0xdeadbeefUL, os.ReadUInt64(r.Value + 8));
        Assert.Equal(4096UL, os.GetStatistics().RssBytes);
        Assert.True(os.Munmap(r.Value, 135168).Succeeded);
        Assert.Throws<SegmentationFaultException>(() => os.ReadUInt64(r.Value + 8));
        Assert.Equal(0UL, os.GetStatistics().RssBytes);
    }
}
