// Copyright (c) Allocators contributors. MIT License.

using Allocators.Strategies.Mmap;
using Allocators.Workloads.Tests.Infrastructure;

namespace Allocators.Workloads.Tests.Unit;

/// <summary>The replay models a program that uses its memory: every page of each block is touched once.</summary>
public sealed class ReplayTouchTests
{
    // Two live blocks of 10 000 bytes (3 pages each) and one freed at once.
    private const string Trace = """
        1 m 10000 0x1000
        1 m 10000 0x5000
        1 m 5000 0x9000
        1 f 0x9000
        """;

    private static ReplayResult Replay(bool touch)
    {
        var options = new ReplayOptions { TouchAllocatedMemory = touch };
        using TraceReader reader = TraceText.Reader(Trace);
        return new Replayer(os => new MmapAllocator(os, new MmapAllocatorOptions { GuardPageAfter = false, AlignBlockEndToGuard = false }), options).Replay(reader);
    }

    [Fact]
    public void Replay_Touching_ResidentSetHoldsEveryPageOfTheBlocks()
    {
        ReplayResult touched = Replay(touch: true);
        Assert.Equal(3UL * 4096 * 2, touched.FinalRssBytes);
        Assert.Equal(3UL * 4096 * 2 + 2 * 4096, touched.PeakRssBytes);
        Assert.Equal(8, touched.PageFaults);
    }

    [Fact]
    public void Replay_NotTouching_ResidentSetHoldsOnlyWhatTheAllocatorWrote()
    {
        ReplayResult untouched = Replay(touch: false);
        Assert.Equal(0UL, untouched.PeakRssBytes);
        Assert.Equal(0, untouched.PageFaults);
    }
}
