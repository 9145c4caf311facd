// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Os.Tests.Unit;

public sealed class BrkTests
{
    private const ulong Start = 0x555555559000;

    [Fact]
    public void Brk_Zero_ReturnsCurrentBreakAndCountsCall()
    {
        using var os = new SimulatedOs();
        Assert.Equal(Start, os.Brk(0));
        Assert.Equal(Start, os.InitialBreak);
        Assert.Equal(1, os.GetStatistics().Brk);
        Assert.Equal(0, os.GetStatistics().FailedSyscalls);
    }

    [Fact]
    public void Brk_Grow_IsByteGranularAndMapsWholePages()
    {
        using var os = new SimulatedOs();
        Assert.Equal(Start + 100, os.Brk(Start + 100));
        Assert.Equal(Start + 100, os.CurrentBreak);
        var heap = Assert.Single(os.GetMappings());
        Assert.True(heap.IsHeap);
        Assert.Equal(Start, heap.Start);
        Assert.Equal(Start + 4096, heap.End);
        Assert.Equal(Protection.ReadWrite, heap.Protection);
        Assert.Equal(4096UL, os.GetStatistics().VszBytes);

        // The rest of the last page is mapped: writing past the break but inside the page works, as on Linux.
        os.WriteByte(Start + 4095, 7);
        Assert.Throws<SegmentationFaultException>(() => os.WriteByte(Start + 4096, 7));
    }

    [Fact]
    public void Brk_BelowStart_FailsAndReturnsOldBreak()
    {
        using var os = new SimulatedOs();
        os.Brk(Start + 8192);
        Assert.Equal(Start + 8192, os.Brk(Start - 4096));
        Assert.Equal(1, os.GetStatistics().FailedSyscalls);
    }

    [Fact]
    public void Brk_ShrinkThenGrow_DroppedPagesReadZero()
    {
        using var os = new SimulatedOs();
        os.Brk(Start + 3 * 4096);
        os.WriteUInt64(Start, 0x1111);
        os.WriteUInt64(Start + 2 * 4096 + 8, 0x2222);
        Assert.Equal(3UL * 4096, os.GetStatistics().VszBytes);

        Assert.Equal(Start + 10, os.Brk(Start + 10));
        Assert.Equal(4096UL, os.GetStatistics().VszBytes);
        Assert.Equal(4096UL, os.GetStatistics().RssBytes);
        Assert.Throws<SegmentationFaultException>(() => os.ReadByte(Start + 2 * 4096));

        os.Brk(Start + 3 * 4096);
        Assert.Equal(0x1111UL, os.ReadUInt64(Start));
        Assert.Equal(0UL, os.ReadUInt64(Start + 2 * 4096 + 8));
    }

    [Fact]
    public void Brk_GrowIntoMapping_FailsKeepingBreak()
    {
        using var os = new SimulatedOs();
        var fixedMap = os.Mmap(Start + 16 * 4096, 4096, Protection.ReadWrite, MapFlags.PrivateAnonymous | MapFlags.Fixed);
        Assert.True(fixedMap.Succeeded);

        // Linux keeps one page of gap below the next mapping.
        Assert.Equal(Start + 15 * 4096, os.Brk(Start + 15 * 4096));
        Assert.Equal(Start + 15 * 4096, os.Brk(Start + 15 * 4096 + 1));
        Assert.Equal(Start + 15 * 4096, os.CurrentBreak);
    }

    [Fact]
    public void Brk_DataLimit_ExceedingFails()
    {
        using var os = new SimulatedOs(new SimulatedOsOptions { DataLimitBytes = 64 * 1024 });
        Assert.Equal(Start + 64 * 1024, os.Brk(Start + 64 * 1024));
        Assert.Equal(Start + 64 * 1024, os.Brk(Start + 64 * 1024 + 1));
        os.Limits.DataLimitBytes = 0;
        Assert.Equal(Start + 64 * 1024 + 1, os.Brk(Start + 64 * 1024 + 1));
    }

    [Fact]
    public void Brk_AddressSpaceLimit_ExceedingFails()
    {
        using var os = new SimulatedOs(new SimulatedOsOptions { AddressSpaceLimitBytes = 8192 });
        Assert.Equal(Start + 8192, os.Brk(Start + 8192));
        Assert.Equal(Start + 8192, os.Brk(Start + 8193));
    }

    [Fact]
    public void Brk_BeyondHeapReservation_Fails()
    {
        using var os = new SimulatedOs(new SimulatedOsOptions { HeapReservationBytes = 1 << 20 });
        Assert.Equal(Start + (1 << 20), os.Brk(Start + (1 << 20)));
        Assert.Equal(Start + (1 << 20), os.Brk(Start + (1 << 20) + 1));
    }

    [Fact]
    public void Brk_FailNth_FailsExactlyThatCall()
    {
        using var os = new SimulatedOs(new SimulatedOsOptions { FailNthBrk = 2 });
        os.Brk(0);
        Assert.Equal(Start + 4096, os.Brk(Start + 4096));
        Assert.Equal(Start + 4096, os.Brk(Start + 8192));
        Assert.Equal(Start + 8192, os.Brk(Start + 8192));
    }

    [Fact]
    public void Brk_FailNext_FailsGrowthUntilConsumed()
    {
        using var os = new SimulatedOs();
        os.Faults.FailNextBrk(2);
        Assert.Equal(Start, os.Brk(Start + 4096));
        Assert.Equal(Start, os.Brk(Start + 4096));
        Assert.Equal(Start + 4096, os.Brk(Start + 4096));
        Assert.Equal(0, os.Faults.PendingBrkFailures);
    }
}
