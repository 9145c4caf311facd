// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Os.Tests.Unit;

/// <summary>The heuristic overcommit check: one accounted request larger than the bound fails, as Linux does.</summary>
public sealed class OvercommitTests
{
    private const ulong Limit = 1UL << 30;

    private static SimulatedOs NewOs() => new(new SimulatedOsOptions { OvercommitLimitBytes = Limit });

    [Fact]
    public void Mmap_PrivateWritableAboveLimit_FailsWithEnomemAndMapsNothing()
    {
        using var os = NewOs();
        OsResult r = os.Mmap(0, Limit + 4096, Protection.ReadWrite, MapFlags.PrivateAnonymous);
        Assert.Equal(Errno.ENOMEM, r.Error);
        Assert.Equal(0UL, os.GetStatistics().VszBytes);
    }

    [Fact]
    public void Mmap_AtLimitOrNoReserveOrProtNone_Succeeds()
    {
        using var os = NewOs();
        Assert.True(os.Mmap(0, Limit, Protection.ReadWrite, MapFlags.PrivateAnonymous).Succeeded);
        Assert.True(os.Mmap(0, 2 * Limit, Protection.ReadWrite, MapFlags.PrivateAnonymous | MapFlags.NoReserve).Succeeded);
        Assert.True(os.Mmap(0, 2 * Limit, Protection.None, MapFlags.PrivateAnonymous).Succeeded);
    }

    [Fact]
    public void Brk_GrowthAboveLimit_ReturnsOldBreak()
    {
        using var os = NewOs();
        ulong start = os.Brk(0);
        Assert.Equal(start, os.Brk(start + Limit + 4096));
        Assert.Equal(start + 4096, os.Brk(start + 4096));
    }

    [Fact]
    public void Mremap_GrowthAboveLimit_FailsAndKeepsTheMapping()
    {
        using var os = NewOs();
        ulong a = os.Mmap(0, 4096, Protection.ReadWrite, MapFlags.PrivateAnonymous).Value;
        os.WriteUInt64(a, 42);
        OsResult r = os.Mremap(a, 4096, Limit + 8192, MremapFlags.MayMove);
        Assert.Equal(Errno.ENOMEM, r.Error);
        Assert.Equal(42UL, os.ReadUInt64(a));
    }

    [Fact]
    public void Limits_OvercommitZero_TurnsTheCheckOff()
    {
        using var os = NewOs();
        os.Limits.OvercommitLimitBytes = 0;
        Assert.True(os.Mmap(0, 4 * Limit, Protection.ReadWrite, MapFlags.PrivateAnonymous).Succeeded);
    }

    [Fact]
    public void Mmap_ReservationAboveMaxMappingBytes_FailsEvenWhenNotAccounted()
    {
        using var os = new SimulatedOs(new SimulatedOsOptions { MaxMappingBytes = Limit });
        Assert.Equal(Errno.ENOMEM, os.Mmap(0, Limit + 4096, Protection.None, MapFlags.PrivateAnonymous | MapFlags.NoReserve).Error);
        Assert.True(os.Mmap(0, Limit, Protection.None, MapFlags.PrivateAnonymous | MapFlags.NoReserve).Succeeded);
    }
}
