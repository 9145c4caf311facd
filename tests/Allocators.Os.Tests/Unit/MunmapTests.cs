// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Os.Tests.Unit;

public sealed class MunmapTests
{
    private const MapFlags Anon = MapFlags.PrivateAnonymous;

    [Fact]
    public void Munmap_Middle_SplitsMapping()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0, 3 * 4096, Protection.ReadWrite, Anon).Value;
        os.WriteByte(a, 1);
        os.WriteByte(a + 2 * 4096, 3);
        Assert.True(os.Munmap(a + 4096, 4096).Succeeded);
        var maps = os.GetMappings();
        Assert.Equal(2, maps.Count);
        Assert.Equal((a, a + 4096), (maps[0].Start, maps[0].End));
        Assert.Equal((a + 2 * 4096, a + 3 * 4096), (maps[1].Start, maps[1].End));
        Assert.Equal(1, os.ReadByte(a));
        Assert.Equal(3, os.ReadByte(a + 2 * 4096));
        var fault = Assert.Throws<SegmentationFaultException>(() => os.ReadByte(a + 4096 + 5));
        Assert.Equal(a + 4096 + 5, fault.Address);
        Assert.False(fault.Mapped);
        Assert.Contains($"0x{a + 4096 + 5:x}", fault.Message);
    }

    [Fact]
    public void Munmap_HolesAreNotAnError()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0, 4096, Protection.ReadWrite, Anon).Value;
        Assert.True(os.Munmap(a - 16 * 4096, 32 * 4096).Succeeded);
        Assert.Equal(0, os.MapCount);
        Assert.True(os.Munmap(0x10000000, 4096).Succeeded);
    }

    [Fact]
    public void Munmap_LengthRoundedUp()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0, 2 * 4096, Protection.ReadWrite, Anon).Value;
        Assert.True(os.Munmap(a, 1).Succeeded);
        Assert.False(os.IsAccessible(a, 1, Protection.Read));
        Assert.True(os.IsAccessible(a + 4096, 4096, Protection.ReadWrite));
    }

    [Fact]
    public void Munmap_Unaligned_FailsWithEinval()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0, 4096, Protection.ReadWrite, Anon).Value;
        Assert.Equal(Errno.EINVAL, os.Munmap(a + 1, 4096).Error);
        Assert.Equal(1, os.MapCount);
    }

    [Fact]
    public void Munmap_ZeroLength_FailsWithEinval()
    {
        using var os = new SimulatedOs();
        Assert.Equal(Errno.EINVAL, os.Munmap(0x10000000, 0).Error);
    }

    [Fact]
    public void Munmap_BeyondUserSpace_FailsWithEinval()
    {
        using var os = new SimulatedOs();
        Assert.Equal(Errno.EINVAL, os.Munmap(0x7ffffffff000, 8192).Error);
        Assert.Equal(Errno.EINVAL, os.Munmap(0x800000000000, 4096).Error);
    }

    [Fact]
    public void Munmap_SplitBeyondMaxMapCount_FailsWithEnomem()
    {
        using var os = new SimulatedOs(new SimulatedOsOptions { MaxMapCount = 1 });
        ulong a = os.Mmap(0, 3 * 4096, Protection.ReadWrite, Anon).Value;
        Assert.Equal(Errno.ENOMEM, os.Munmap(a + 4096, 4096).Error);
        Assert.True(os.IsAccessible(a, 3 * 4096, Protection.ReadWrite));
        Assert.True(os.Munmap(a, 4096).Succeeded);
    }

    [Fact]
    public void Munmap_PartOfHeap_LeavesBreak()
    {
        using var os = new SimulatedOs();
        ulong start = os.InitialBreak;
        os.Brk(start + 3 * 4096);
        Assert.True(os.Munmap(start + 4096, 4096).Succeeded);
        Assert.Equal(start + 3 * 4096, os.CurrentBreak);
        Assert.Equal(2, os.MapCount);
        Assert.All(os.GetMappings(), m => Assert.True(m.IsHeap));
    }
}
