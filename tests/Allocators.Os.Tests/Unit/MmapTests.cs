// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Os.Tests.Unit;

public sealed class MmapTests
{
    private const ulong Base = 0x7ffff7fff000;
    private const MapFlags Anon = MapFlags.PrivateAnonymous;

    [Fact]
    public void Mmap_TopDown_PlacesEachMappingBelowThePrevious()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0, 4096, Protection.ReadWrite, Anon).Value;
        ulong b = os.Mmap(0, 8192, Protection.ReadWrite, Anon).Value;
        Assert.Equal(Base - 4096, a);
        Assert.Equal(a - 8192, b);

        // Adjacent anonymous mappings with equal protection merge into one VMA, as on Linux.
        var map = Assert.Single(os.GetMappings());
        Assert.Equal(b, map.Start);
        Assert.Equal(Base, map.End);
    }

    [Fact]
    public void Mmap_LengthIsRoundedToPages()
    {
        using var os = new SimulatedOs();
        var r = os.Mmap(0, 1, Protection.ReadWrite, Anon);
        Assert.Equal(Base - 4096, r.Value);
        Assert.Equal(4096UL, os.GetStatistics().VszBytes);
    }

    [Fact]
    public void Mmap_ReusesTheHighestHoleThatFits()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0, 4096, Protection.ReadWrite, Anon).Value;
        ulong b = os.Mmap(0, 3 * 4096, Protection.ReadWrite, Anon).Value;
        ulong c = os.Mmap(0, 4096, Protection.ReadWrite, Anon).Value;
        Assert.True(os.Munmap(b, 3 * 4096).Succeeded);

        // A 2-page request fits the 3-page hole: placed at its top.
        ulong d = os.Mmap(0, 2 * 4096, Protection.ReadWrite, Anon).Value;
        Assert.Equal(a - 2 * 4096, d);

        // A 4-page request does not fit the remaining 1-page hole: placed below c.
        ulong e = os.Mmap(0, 4 * 4096, Protection.ReadWrite, Anon).Value;
        Assert.Equal(c - 4 * 4096, e);
    }

    [Fact]
    public void Mmap_FreeHint_IsUsed()
    {
        using var os = new SimulatedOs();
        var r = os.Mmap(0x10000000, 4096, Protection.ReadWrite, Anon);
        Assert.Equal(0x10000000UL, r.Value);
    }

    [Fact]
    public void Mmap_UnalignedHint_IsRoundedUp()
    {
        using var os = new SimulatedOs();
        Assert.Equal(0x10001000UL, os.Mmap(0x10000001, 4096, Protection.ReadWrite, Anon).Value);
    }

    [Fact]
    public void Mmap_OccupiedHint_FallsBackToTopDown()
    {
        using var os = new SimulatedOs();
        os.Mmap(0x10000000, 4096, Protection.ReadWrite, Anon);
        Assert.Equal(Base - 4096, os.Mmap(0x10000000, 4096, Protection.ReadWrite, Anon).Value);
    }

    [Fact]
    public void Mmap_Fixed_ReplacesExistingContents()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0, 3 * 4096, Protection.ReadWrite, Anon).Value;
        os.WriteUInt64(a + 4096, 42);
        os.WriteUInt64(a, 41);
        var r = os.Mmap(a + 4096, 4096, Protection.Read, Anon | MapFlags.Fixed);
        Assert.Equal(a + 4096, r.Value);
        Assert.Equal(0UL, os.ReadUInt64(a + 4096));
        Assert.Equal(41UL, os.ReadUInt64(a));
        Assert.Equal(3, os.MapCount);
        Assert.Equal(3UL * 4096, os.GetStatistics().VszBytes);
        Assert.Throws<SegmentationFaultException>(() => os.WriteByte(a + 4096, 1));
    }

    [Fact]
    public void Mmap_FixedNoReplace_OccupiedFailsWithEexist()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0, 4096, Protection.ReadWrite, Anon).Value;
        var r = os.Mmap(a, 4096, Protection.ReadWrite, Anon | MapFlags.FixedNoReplace);
        Assert.False(r.Succeeded);
        Assert.Equal(Errno.EEXIST, r.Error);
        Assert.Equal(OsResult.Failed, r.Value);
        Assert.True(os.Mmap(a - 4096, 4096, Protection.ReadWrite, Anon | MapFlags.FixedNoReplace).Succeeded);
    }

    [Theory]
    [InlineData(0x10000000UL, 0UL, MapFlags.PrivateAnonymous)]
    [InlineData(0x10000001UL, 4096UL, MapFlags.PrivateAnonymous | MapFlags.Fixed)]
    [InlineData(0x10000001UL, 4096UL, MapFlags.PrivateAnonymous | MapFlags.FixedNoReplace)]
    [InlineData(0UL, 4096UL, MapFlags.Anonymous)]
    [InlineData(0UL, 4096UL, MapFlags.Anonymous | MapFlags.Private | MapFlags.Shared)]
    [InlineData(0UL, 4096UL, MapFlags.Private)]
    [InlineData(0UL, 4096UL, MapFlags.PrivateAnonymous | (MapFlags)0x40)]
    public void Mmap_BadArguments_FailWithEinval(ulong address, ulong length, MapFlags flags)
    {
        using var os = new SimulatedOs();
        var r = os.Mmap(address, length, Protection.ReadWrite, flags);
        Assert.Equal(Errno.EINVAL, r.Error);
        Assert.Equal(1, os.GetStatistics().FailedSyscalls);
        Assert.Equal(0, os.MapCount);
    }

    [Fact]
    public void Mmap_BadProtection_FailsWithEinval()
        => AssertError(Errno.EINVAL, os => os.Mmap(0, 4096, (Protection)8, Anon));

    [Fact]
    public void Mmap_HugeLength_FailsWithEnomem()
        => AssertError(Errno.ENOMEM, os => os.Mmap(0, ulong.MaxValue - 10, Protection.ReadWrite, Anon));

    [Fact]
    public void Mmap_FixedBelowMinAddress_FailsWithEperm()
        => AssertError(Errno.EPERM, os => os.Mmap(0x1000, 4096, Protection.ReadWrite, Anon | MapFlags.Fixed));

    [Fact]
    public void Mmap_FixedBeyondUserSpace_FailsWithEnomem()
        => AssertError(Errno.ENOMEM, os => os.Mmap(0x7ffffffff000, 8192, Protection.ReadWrite, Anon | MapFlags.Fixed));

    [Fact]
    public void Mmap_Shared_BehavesLikeAnonymousMemoryButDoesNotMergeWithPrivate()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0, 4096, Protection.ReadWrite, Anon).Value;
        ulong b = os.Mmap(0, 4096, Protection.ReadWrite, MapFlags.Shared | MapFlags.Anonymous).Value;
        Assert.Equal(a - 4096, b);
        Assert.Equal(2, os.MapCount);
        os.WriteByte(b, 3);
        Assert.Equal(3, os.ReadByte(b));
    }

    [Fact]
    public void Mmap_NoReserve_IsAccepted()
    {
        using var os = new SimulatedOs();
        Assert.True(os.Mmap(0, 4096, Protection.ReadWrite, Anon | MapFlags.NoReserve).Succeeded);
    }

    [Fact]
    public void Mmap_DifferentProtection_DoesNotMerge()
    {
        using var os = new SimulatedOs();
        os.Mmap(0, 4096, Protection.ReadWrite, Anon);
        os.Mmap(0, 4096, Protection.None, Anon);
        Assert.Equal(2, os.MapCount);
        var maps = os.GetMappings();
        Assert.Equal(Protection.None, maps[0].Protection);
        Assert.Equal(Protection.ReadWrite, maps[1].Protection);
    }

    [Fact]
    public void Mmap_MaxMapCount_ExceedingFailsWithEnomem()
    {
        using var os = new SimulatedOs(new SimulatedOsOptions { MaxMapCount = 3 });
        for (int i = 0; i < 3; i++)
        {
            // Alternate protections so nothing merges.
            Assert.True(os.Mmap(0, 4096, i % 2 == 0 ? Protection.ReadWrite : Protection.Read, Anon).Succeeded);
        }

        Assert.Equal(Errno.ENOMEM, os.Mmap(0, 4096, Protection.None, Anon).Error);

        // A mapping that merges with its neighbour does not add a VMA, so it is allowed.
        Assert.True(os.Mmap(0, 4096, Protection.ReadWrite, Anon).Succeeded);
        Assert.Equal(3, os.MapCount);
    }

    [Fact]
    public void Mmap_AddressSpaceLimit_CountsHeapAndMappings()
    {
        using var os = new SimulatedOs(new SimulatedOsOptions { AddressSpaceLimitBytes = 5 * 4096 });
        os.Brk(os.InitialBreak + 2 * 4096);
        Assert.True(os.Mmap(0, 3 * 4096, Protection.ReadWrite, Anon).Succeeded);
        Assert.Equal(Errno.ENOMEM, os.Mmap(0, 1, Protection.ReadWrite, Anon).Error);
        os.Limits.AddressSpaceLimitBytes = 0;
        Assert.True(os.Mmap(0, 1, Protection.ReadWrite, Anon).Succeeded);
    }

    [Fact]
    public void Mmap_DataLimit_CountsPrivateWritableOnly()
    {
        using var os = new SimulatedOs(new SimulatedOsOptions { DataLimitBytes = 2 * 4096 });
        Assert.True(os.Mmap(0, 2 * 4096, Protection.ReadWrite, Anon).Succeeded);
        Assert.Equal(Errno.ENOMEM, os.Mmap(0, 4096, Protection.ReadWrite, Anon).Error);
        Assert.True(os.Mmap(0, 4096, Protection.Read, Anon).Succeeded);
        Assert.True(os.Mmap(0, 4096, Protection.ReadWrite, MapFlags.Shared | MapFlags.Anonymous).Succeeded);

        // The heap counts too.
        Assert.Equal(os.InitialBreak, os.Brk(os.InitialBreak + 1));
    }

    [Fact]
    public void Mmap_FailNth_FailsExactlyThatCall()
    {
        using var os = new SimulatedOs(new SimulatedOsOptions { FailNthMmap = 2 });
        Assert.True(os.Mmap(0, 4096, Protection.ReadWrite, Anon).Succeeded);
        Assert.Equal(Errno.ENOMEM, os.Mmap(0, 4096, Protection.ReadWrite, Anon).Error);
        Assert.True(os.Mmap(0, 4096, Protection.ReadWrite, Anon).Succeeded);
    }

    [Fact]
    public void Mmap_FailAbove_FailsLargeOnlyUntilReset()
    {
        using var os = new SimulatedOs(new SimulatedOsOptions { FailMmapAboveBytes = 8192 });
        Assert.True(os.Mmap(0, 8192, Protection.ReadWrite, Anon).Succeeded);
        Assert.Equal(Errno.ENOMEM, os.Mmap(0, 8193, Protection.ReadWrite, Anon).Error);
        os.Faults.Reset();
        Assert.True(os.Mmap(0, 8193, Protection.ReadWrite, Anon).Succeeded);
    }

    [Fact]
    public void Mmap_FailNext_FailsTheNextCalls()
    {
        using var os = new SimulatedOs();
        os.Faults.FailNextMmap(2);
        Assert.Equal(Errno.ENOMEM, os.Mmap(0, 4096, Protection.ReadWrite, Anon).Error);
        Assert.Equal(Errno.ENOMEM, os.Mmap(0, 4096, Protection.ReadWrite, Anon).Error);
        Assert.True(os.Mmap(0, 4096, Protection.ReadWrite, Anon).Succeeded);
        Assert.Equal(2, os.GetStatistics().FailedSyscalls);
    }

    [Fact]
    public void Mmap_WhenBelowBaseIsFull_FallsBackAboveTheBase()
    {
        using var os = new SimulatedOs(new SimulatedOsOptions { MmapBase = 0x20000, BreakStart = 0x10000000 });
        var a = os.Mmap(0, 0x10000, Protection.ReadWrite, Anon);
        Assert.Equal(0x10000UL, a.Value);
        var b = os.Mmap(0, 0x1000, Protection.ReadWrite, Anon);
        Assert.Equal(0x20000UL, b.Value);
    }

    private static void AssertError(Errno expected, Func<SimulatedOs, OsResult> call)
    {
        using var os = new SimulatedOs();
        var r = call(os);
        Assert.Equal(expected, r.Error);
        Assert.Equal(OsResult.Failed, r.Value);
        Assert.Equal(1, os.GetStatistics().FailedSyscalls);
    }
}
