// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Os.Tests.Unit;

public sealed class StatisticsTests
{
    [Fact]
    public void Counters_CountEveryCallAndFailure()
    {
        using var os = new SimulatedOs();
        os.Brk(0);
        os.Brk(os.InitialBreak + 4096);
        ulong a = os.Mmap(0, 8192, Protection.ReadWrite, MapFlags.PrivateAnonymous).Value;
        os.Mprotect(a, 4096, Protection.Read);
        os.Madvise(a, 4096, MadviseAdvice.DontNeed);
        os.Mremap(a, 4096, 4096, MremapFlags.None);
        os.Munmap(a, 8192);
        os.Munmap(a, 0);
        var s = os.GetStatistics();
        Assert.Equal(2, s.Brk);
        Assert.Equal(1, s.Mmap);
        Assert.Equal(2, s.Munmap);
        Assert.Equal(1, s.Mremap);
        Assert.Equal(1, s.Mprotect);
        Assert.Equal(1, s.Madvise);
        Assert.Equal(8, s.Syscalls);
        Assert.Equal(1, s.FailedSyscalls);
        Assert.Equal(os.InitialBreak, s.BreakStart);
        Assert.Equal(os.InitialBreak + 4096, s.Break);
        Assert.Equal(1, s.MapCount);
    }

    [Fact]
    public void Peaks_RememberTheHighestValues()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0, 4 * 4096, Protection.ReadWrite, MapFlags.PrivateAnonymous).Value;
        os.Fill(a, 3 * 4096, 1);
        os.Munmap(a, 4 * 4096);
        var s = os.GetStatistics();
        Assert.Equal(0UL, s.RssBytes);
        Assert.Equal(0UL, s.VszBytes);
        Assert.Equal(3UL * 4096, s.PeakRssBytes);
        Assert.Equal(4UL * 4096, s.PeakVszBytes);
        Assert.Equal(3, s.PageFaults);
    }

    [Fact]
    public void GetMappings_ReportsResidentBytesAndMapsLines()
    {
        using var os = new SimulatedOs();
        os.Brk(os.InitialBreak + 0x21000);
        os.WriteByte(os.InitialBreak, 1);
        ulong a = os.Mmap(0, 3 * 4096, Protection.ReadWrite, MapFlags.PrivateAnonymous).Value;
        os.Mprotect(a, 4096, Protection.None);
        os.WriteByte(a + 4096, 1);
        os.WriteByte(a + 2 * 4096, 1);
        var maps = os.GetMappings();
        Assert.Equal(3, maps.Count);
        Assert.Equal("555555559000-55555557a000 rw-p [heap]", maps[0].ToString());
        Assert.Equal(4096UL, maps[0].ResidentBytes);
        Assert.Equal($"{a:x}-{a + 4096:x} ---p", maps[1].ToString());
        Assert.Equal(0UL, maps[1].ResidentBytes);
        Assert.Equal(8192UL, maps[2].ResidentBytes);
        Assert.True(maps[0].End <= maps[1].Start && maps[1].End <= maps[2].Start);
    }
}
