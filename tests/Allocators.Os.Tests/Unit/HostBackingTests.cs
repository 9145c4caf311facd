// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Os.Tests.Unit;

/// <summary>Pages given back are zero when they come back, whichever way the host memory was released.</summary>
public sealed class HostBackingTests
{
    private const MapFlags Anon = MapFlags.PrivateAnonymous;

    [Theory]
    [InlineData(2)]
    [InlineData(40)]
    public void Mmap_AfterMunmapOfTouchedPages_SameRangeReadsZero(int pages)
    {
        using var os = new SimulatedOs();
        ulong bytes = (ulong)pages * 4096;
        ulong a = os.Mmap(0, bytes, Protection.ReadWrite, Anon).Value;
        os.Fill(a, bytes, 0xEE);
        Assert.True(os.Munmap(a, bytes).Succeeded);
        ulong b = os.Mmap(0, bytes, Protection.ReadWrite, Anon).Value;
        Assert.Equal(a, b);
        AssertZero(os, b, bytes);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(40)]
    public void Brk_AfterShrinkOfTouchedPages_RegrowReadsZero(int pages)
    {
        using var os = new SimulatedOs();
        ulong start = os.InitialBreak;
        ulong bytes = (ulong)pages * 4096;
        os.Brk(start + bytes);
        os.Fill(start, bytes, 0xEE);
        os.Brk(start);
        os.Brk(start + bytes);
        AssertZero(os, start, bytes);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(40)]
    public void MapFixed_OverTouchedPages_ReadsZero(int pages)
    {
        using var os = new SimulatedOs();
        ulong bytes = (ulong)pages * 4096;
        ulong a = os.Mmap(0, bytes, Protection.ReadWrite, Anon).Value;
        os.Fill(a, bytes, 0xEE);
        Assert.Equal(a, os.Mmap(a, bytes, Protection.ReadWrite, Anon | MapFlags.Fixed).Value);
        AssertZero(os, a, bytes);
        Assert.Equal(bytes, os.GetStatistics().RssBytes);
    }

    [Fact]
    public void OwnBackedMapping_OutsideTheWindow_RoundTripsAndReleases()
    {
        using var os = new SimulatedOs(new SimulatedOsOptions { MmapReservationBytes = 1 << 20 });
        ulong a = os.Mmap(0, 2 << 20, Protection.ReadWrite, Anon).Value;
        os.Fill(a, 2 << 20, 0x11);
        Assert.True(os.Mremap(a, 2 << 20, 3 << 20, MremapFlags.MayMove).Succeeded);
        Assert.Equal(2UL << 20, os.GetStatistics().RssBytes);
        Assert.True(os.Munmap(0x10000, 0x7ffffffff000 - 0x10000).Succeeded);
        Assert.Equal(0, os.MapCount);
        Assert.Equal(0UL, os.GetStatistics().RssBytes);
    }

    [Fact]
    public void ManyProcesses_CreatedAndDisposed_DoNotExhaustTheHost()
    {
        for (int i = 0; i < 200; i++)
        {
            using var os = new SimulatedOs();
            ulong a = os.Mmap(0, 4096, Protection.ReadWrite, Anon).Value;
            os.WriteUInt64(a, (ulong)i);
            os.Brk(os.InitialBreak + 4096);
            os.WriteUInt64(os.InitialBreak, (ulong)i);
        }
    }

    [Fact]
    [Trait("Category", "Stress")]
    public void ManyProcesses_NeverDisposed_AreReclaimedByFinalizers()
    {
        // Each process reserves 128 GiB of host address space; 1200 of them exceed the 128 TiB user space, so this
        // only passes because a refused reservation lets the finalizers of unreachable processes run first.
        for (int i = 0; i < 1200; i++)
        {
            var os = new SimulatedOs();
            os.WriteUInt64(os.Mmap(0, 4096, Protection.ReadWrite, Anon).Value, 1);
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    private static void AssertZero(SimulatedOs os, ulong address, ulong bytes)
    {
        byte[] back = new byte[bytes];
        os.Read(address, back);
        Assert.Equal(-1, Array.FindIndex(back, b => b != 0));
    }
}
