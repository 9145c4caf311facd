// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Os.Tests.Unit;

public sealed class MprotectTests
{
    private const MapFlags Anon = MapFlags.PrivateAnonymous;

    [Fact]
    public void Mprotect_Middle_SplitsAndRestoringMerges()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0, 3 * 4096, Protection.ReadWrite, Anon).Value;
        Assert.True(os.Mprotect(a + 4096, 4096, Protection.None).Succeeded);
        Assert.Equal(3, os.MapCount);
        Assert.Equal(Protection.None, os.GetMappings()[1].Protection);
        var fault = Assert.Throws<SegmentationFaultException>(() => os.ReadUInt64(a + 4096));
        Assert.True(fault.Mapped);
        Assert.Equal(MemoryAccessKind.Read, fault.Access);

        Assert.True(os.Mprotect(a + 4096, 4096, Protection.ReadWrite).Succeeded);
        Assert.Equal(1, os.MapCount);
        os.WriteUInt64(a + 4096, 1);
    }

    [Fact]
    public void Mprotect_ReadOnly_WritesFaultReadsWork()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0, 4096, Protection.ReadWrite, Anon).Value;
        os.WriteUInt64(a, 5);
        os.Mprotect(a, 4096, Protection.Read);
        Assert.Equal(5UL, os.ReadUInt64(a));
        var fault = Assert.Throws<SegmentationFaultException>(() => os.WriteUInt64(a, 6));
        Assert.Equal(MemoryAccessKind.Write, fault.Access);
        Assert.Equal(a, fault.Address);
        Assert.Equal(5UL, os.ReadUInt64(a));
    }

    [Fact]
    public void Mprotect_KeepsResidency()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0, 4096, Protection.ReadWrite, Anon).Value;
        os.WriteByte(a, 1);
        os.Mprotect(a, 4096, Protection.None);
        Assert.Equal(4096UL, os.GetStatistics().RssBytes);
        os.Mprotect(a, 4096, Protection.ReadWrite);
        Assert.Equal(1, os.ReadByte(a));
        Assert.Equal(1, os.GetStatistics().PageFaults);
    }

    [Fact]
    public void Mprotect_UnmappedPart_FailsWithEnomem()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0x10000000, 4096, Protection.ReadWrite, Anon).Value;
        Assert.Equal(Errno.ENOMEM, os.Mprotect(a, 2 * 4096, Protection.Read).Error);
        Assert.Equal(Protection.ReadWrite, os.GetMappings()[0].Protection);
    }

    [Fact]
    public void Mprotect_Unaligned_FailsWithEinval()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0, 4096, Protection.ReadWrite, Anon).Value;
        Assert.Equal(Errno.EINVAL, os.Mprotect(a + 8, 4096, Protection.Read).Error);
        Assert.Equal(Errno.EINVAL, os.Mprotect(a, 4096, (Protection)16).Error);
    }

    [Fact]
    public void Mprotect_ZeroLength_Succeeds()
    {
        using var os = new SimulatedOs();
        Assert.True(os.Mprotect(0x10000000, 0, Protection.Read).Succeeded);
    }

    [Fact]
    public void Mprotect_MakingWritablePastDataLimit_FailsWithEnomem()
    {
        using var os = new SimulatedOs(new SimulatedOsOptions { DataLimitBytes = 4096 });
        ulong a = os.Mmap(0, 2 * 4096, Protection.Read, Anon).Value;
        Assert.Equal(Errno.ENOMEM, os.Mprotect(a, 2 * 4096, Protection.ReadWrite).Error);
        Assert.True(os.Mprotect(a, 4096, Protection.ReadWrite).Succeeded);
    }

    [Fact]
    public void Mprotect_WriteOnly_ReadsLikeX86()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0, 4096, Protection.Write, Anon).Value;
        os.WriteByte(a, 9);
        Assert.Equal(9, os.ReadByte(a));
        Assert.True(os.IsAccessible(a, 4096, Protection.Read));
        Assert.False(os.IsAccessible(a, 4096, Protection.Exec));
    }
}
