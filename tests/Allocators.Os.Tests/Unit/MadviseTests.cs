// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Os.Tests.Unit;

public sealed class MadviseTests
{
    private const MapFlags Anon = MapFlags.PrivateAnonymous;

    [Theory]
    [InlineData(MadviseAdvice.DontNeed)]
    [InlineData(MadviseAdvice.Free)]
    public void Madvise_Drop_RssFallsAndNextTouchFaultsZeroes(MadviseAdvice advice)
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0, 2 * 4096, Protection.ReadWrite, Anon).Value;
        os.WriteUInt64(a, 1);
        os.WriteUInt64(a + 4096, 2);
        Assert.Equal(8192UL, os.GetStatistics().RssBytes);
        Assert.True(os.Madvise(a, 4096, advice).Succeeded);
        var stats = os.GetStatistics();
        Assert.Equal(4096UL, stats.RssBytes);
        Assert.Equal(8192UL, stats.VszBytes);
        Assert.Equal(0UL, os.ReadUInt64(a));
        Assert.Equal(2UL, os.ReadUInt64(a + 4096));
        Assert.Equal(3, os.GetStatistics().PageFaults);
    }

    [Fact]
    public void Madvise_HeapPages_Drop()
    {
        using var os = new SimulatedOs();
        ulong start = os.InitialBreak;
        os.Brk(start + 4096);
        os.WriteUInt64(start, 3);
        Assert.True(os.Madvise(start, 4096, MadviseAdvice.DontNeed).Succeeded);
        Assert.Equal(0UL, os.ReadUInt64(start));
    }

    [Theory]
    [InlineData(MadviseAdvice.Normal)]
    [InlineData(MadviseAdvice.Random)]
    [InlineData(MadviseAdvice.Sequential)]
    [InlineData(MadviseAdvice.WillNeed)]
    [InlineData(MadviseAdvice.HugePage)]
    public void Madvise_OtherAdvice_AcceptedWithoutEffect(MadviseAdvice advice)
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0, 4096, Protection.ReadWrite, Anon).Value;
        os.WriteByte(a, 1);
        Assert.True(os.Madvise(a, 4096, advice).Succeeded);
        Assert.Equal(1, os.ReadByte(a));
        Assert.Equal(4096UL, os.GetStatistics().RssBytes);
    }

    [Fact]
    public void Madvise_Unaligned_FailsWithEinval()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0, 4096, Protection.ReadWrite, Anon).Value;
        Assert.Equal(Errno.EINVAL, os.Madvise(a + 1, 4096, MadviseAdvice.DontNeed).Error);
        Assert.Equal(Errno.EINVAL, os.Madvise(a, 4096, (MadviseAdvice)99).Error);
    }

    [Fact]
    public void Madvise_UnmappedPart_FailsWithEnomemButDropsMappedPart()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0x10000000, 4096, Protection.ReadWrite, Anon).Value;
        os.WriteByte(a, 1);
        Assert.Equal(Errno.ENOMEM, os.Madvise(a, 2 * 4096, MadviseAdvice.DontNeed).Error);
        Assert.Equal(0UL, os.GetStatistics().RssBytes);
    }

    [Fact]
    public void Madvise_ZeroLength_Succeeds()
    {
        using var os = new SimulatedOs();
        Assert.True(os.Madvise(0x10000000, 0, MadviseAdvice.DontNeed).Succeeded);
    }
}
