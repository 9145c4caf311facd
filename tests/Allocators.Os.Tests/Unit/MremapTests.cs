// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Os.Tests.Unit;

public sealed class MremapTests
{
    private const MapFlags Anon = MapFlags.PrivateAnonymous;

    [Fact]
    public void Mremap_Shrink_InPlace()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0, 4 * 4096, Protection.ReadWrite, Anon).Value;
        os.WriteByte(a + 3 * 4096, 1);
        var r = os.Mremap(a, 4 * 4096, 4096, MremapFlags.None);
        Assert.Equal(a, r.Value);
        Assert.Equal(4096UL, os.GetStatistics().VszBytes);
        Assert.Equal(0UL, os.GetStatistics().RssBytes);
        Assert.False(os.IsAccessible(a + 4096, 1, Protection.Read));
    }

    [Fact]
    public void Mremap_Grow_InPlaceWhenFollowingRangeIsFree()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0x10000000, 4096, Protection.ReadWrite, Anon).Value;
        os.WriteUInt64(a, 77);
        var r = os.Mremap(a, 4096, 3 * 4096, MremapFlags.None);
        Assert.Equal(a, r.Value);
        Assert.Equal(77UL, os.ReadUInt64(a));
        Assert.Equal(0UL, os.ReadUInt64(a + 2 * 4096));
        Assert.Equal(1, os.MapCount);
        Assert.Equal(3UL * 4096, os.GetStatistics().VszBytes);
    }

    [Fact]
    public void Mremap_GrowBlocked_WithoutMayMoveFailsWithEnomem()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0, 4096, Protection.ReadWrite, Anon).Value;
        ulong b = os.Mmap(0, 4096, Protection.ReadWrite, Anon).Value;
        Assert.Equal(a - 4096, b);
        Assert.Equal(Errno.ENOMEM, os.Mremap(a - 4096, 4096, 2 * 4096, MremapFlags.None).Error);
        Assert.Equal(Errno.ENOMEM, os.Mremap(a - 4096, 4096, 3 * 4096, MremapFlags.None).Error);

        // Above the base the range is free, so the top mapping can grow in place.
        Assert.Equal(a, os.Mremap(a, 4096, 2 * 4096, MremapFlags.None).Value);
        os.Mmap(a + 2 * 4096, 4096, Protection.Read, Anon | MapFlags.Fixed);
        Assert.Equal(Errno.ENOMEM, os.Mremap(a, 2 * 4096, 3 * 4096, MremapFlags.None).Error);
    }

    [Fact]
    public void Mremap_MayMove_MovesKeepingContentsAndResidency()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0, 2 * 4096, Protection.ReadWrite, Anon).Value;
        os.Mmap(a + 2 * 4096, 4096, Protection.Read, Anon | MapFlags.Fixed);
        os.WriteUInt64(a, 1);
        os.WriteUInt64(a + 4096 + 8, 2);
        var before = os.GetStatistics();
        var r = os.Mremap(a, 2 * 4096, 4 * 4096, MremapFlags.MayMove);
        Assert.True(r.Succeeded);
        Assert.NotEqual(a, r.Value);
        Assert.Equal(1UL, os.ReadUInt64(r.Value));
        Assert.Equal(2UL, os.ReadUInt64(r.Value + 4096 + 8));
        Assert.Equal(0UL, os.ReadUInt64(r.Value + 3 * 4096));
        var after = os.GetStatistics();
        Assert.Equal(before.PageFaults + 1, after.PageFaults);
        Assert.Equal(3UL * 4096, after.RssBytes);
        Assert.False(os.IsAccessible(a, 1, Protection.Read));
    }

    [Fact]
    public void Mremap_Fixed_MovesToTheAddressReplacingWhatIsThere()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0x10000000, 2 * 4096, Protection.ReadWrite, Anon).Value;
        ulong target = os.Mmap(0x20000000, 4096, Protection.Read, Anon).Value;
        os.WriteUInt64(a + 4096, 9);
        var r = os.Mremap(a, 2 * 4096, 2 * 4096, MremapFlags.MayMove | MremapFlags.Fixed, target);
        Assert.Equal(target, r.Value);
        Assert.Equal(9UL, os.ReadUInt64(target + 4096));
        os.WriteByte(target, 1);
        Assert.Equal(1, os.MapCount);
    }

    [Fact]
    public void Mremap_FixedShrink_MovesTheHead()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0x10000000, 3 * 4096, Protection.ReadWrite, Anon).Value;
        os.WriteByte(a, 5);
        var r = os.Mremap(a, 3 * 4096, 4096, MremapFlags.MayMove | MremapFlags.Fixed, 0x20000000);
        Assert.Equal(0x20000000UL, r.Value);
        Assert.Equal(5, os.ReadByte(0x20000000));
        Assert.Equal(4096UL, os.GetStatistics().VszBytes);
    }

    [Fact]
    public void Mremap_HeapPages_MoveByCopy()
    {
        using var os = new SimulatedOs();
        ulong start = os.InitialBreak;
        os.Brk(start + 2 * 4096);
        os.WriteUInt64(start + 4096, 123);
        var r = os.Mremap(start, 2 * 4096, 8 * 4096, MremapFlags.MayMove | MremapFlags.Fixed, 0x30000000);
        Assert.True(r.Succeeded);
        Assert.Equal(123UL, os.ReadUInt64(0x30000000 + 4096));
        Assert.False(os.GetMappings().Single().IsHeap);

        // The heap reservation got its pages back zeroed: growing the break again reads zeroes.
        os.Brk(start);
        os.Brk(start + 2 * 4096);
        Assert.Equal(0UL, os.ReadUInt64(start + 4096));
    }

    [Theory]
    [InlineData(0x10000001UL, 4096UL, 8192UL, MremapFlags.MayMove, 0UL)]
    [InlineData(0x10000000UL, 4096UL, 0UL, MremapFlags.MayMove, 0UL)]
    [InlineData(0x10000000UL, 0UL, 4096UL, MremapFlags.MayMove, 0UL)]
    [InlineData(0x10000000UL, 4096UL, 8192UL, MremapFlags.Fixed, 0x20000000UL)]
    [InlineData(0x10000000UL, 4096UL, 8192UL, (MremapFlags)4, 0UL)]
    [InlineData(0x10000000UL, 4096UL, 8192UL, MremapFlags.MayMove | MremapFlags.Fixed, 0x20000001UL)]
    [InlineData(0x10000000UL, 4096UL, 8192UL, MremapFlags.MayMove | MremapFlags.Fixed, 0x0FFFF000UL)]
    public void Mremap_BadArguments_FailWithEinval(ulong address, ulong oldLength, ulong newLength, MremapFlags flags, ulong newAddress)
    {
        using var os = new SimulatedOs();
        os.Mmap(0x10000000, 4096, Protection.ReadWrite, Anon);
        Assert.Equal(Errno.EINVAL, os.Mremap(address, oldLength, newLength, flags, newAddress).Error);
    }

    [Fact]
    public void Mremap_UnmappedOrBeyondMapping_FailsWithEfault()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0x10000000, 4096, Protection.ReadWrite, Anon).Value;
        Assert.Equal(Errno.EFAULT, os.Mremap(0x20000000, 4096, 8192, MremapFlags.MayMove).Error);
        Assert.Equal(Errno.EFAULT, os.Mremap(a, 8192, 16384, MremapFlags.MayMove).Error);
    }

    [Fact]
    public void Mremap_GrowPastAddressSpaceLimit_FailsWithEnomem()
    {
        using var os = new SimulatedOs(new SimulatedOsOptions { AddressSpaceLimitBytes = 2 * 4096 });
        ulong a = os.Mmap(0x10000000, 4096, Protection.ReadWrite, Anon).Value;
        Assert.Equal(Errno.ENOMEM, os.Mremap(a, 4096, 3 * 4096, MremapFlags.MayMove).Error);
        Assert.True(os.Mremap(a, 4096, 2 * 4096, MremapFlags.MayMove).Succeeded);
    }

    [Fact]
    public void Mremap_GrowInsideMergedMapping_Moves()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0, 4096, Protection.ReadWrite, Anon).Value;
        ulong b = os.Mmap(0, 4096, Protection.ReadWrite, Anon).Value;
        os.WriteByte(b, 4);
        var r = os.Mremap(b, 4096, 2 * 4096, MremapFlags.MayMove);
        Assert.True(r.Succeeded);
        Assert.NotEqual(b, r.Value);
        Assert.Equal(4, os.ReadByte(r.Value));
        Assert.True(os.IsAccessible(a, 4096, Protection.ReadWrite));
    }
}
