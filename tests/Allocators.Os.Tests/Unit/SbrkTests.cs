// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Os.Tests.Unit;

public sealed class SbrkTests
{
    [Fact]
    public void Sbrk_Zero_ReturnsBreakWithoutSyscall()
    {
        using var os = new SimulatedOs();
        Assert.Equal(os.InitialBreak, os.Sbrk(0));
        Assert.Equal(0, os.GetStatistics().Brk);
    }

    [Fact]
    public void Sbrk_GrowAndShrink_ReturnPreviousBreak()
    {
        using var os = new SimulatedOs();
        ulong start = os.InitialBreak;
        Assert.Equal(start, os.Sbrk(0x21000));
        Assert.Equal(start + 0x21000, os.Sbrk(-0x1000));
        Assert.Equal(start + 0x20000, os.CurrentBreak);
        Assert.Equal(2, os.GetStatistics().Brk);
    }

    [Fact]
    public void Sbrk_Failure_ReturnsMinusOne()
    {
        using var os = new SimulatedOs();
        os.Faults.FailNextBrk();
        Assert.Equal(SimulatedOsExtensions.SbrkFailed, os.Sbrk(4096));
        Assert.Equal(SimulatedOsExtensions.SbrkFailed, os.Sbrk(-4096));
        Assert.Equal(SimulatedOsExtensions.SbrkFailed, os.Sbrk(long.MinValue));
        Assert.Equal(os.InitialBreak, os.CurrentBreak);
    }
}
