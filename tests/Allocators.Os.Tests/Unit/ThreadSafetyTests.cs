// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Os.Tests.Unit;

public sealed class ThreadSafetyTests
{
    [Fact]
    public void ConcurrentSyscallsAndAccesses_KeepCountersConsistent()
    {
        using var os = new SimulatedOs();
        const int Threads = 4;
        const int Iterations = 300;
        var errors = new List<Exception>();
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            try
            {
                var own = new List<ulong>();
                for (int i = 0; i < Iterations; i++)
                {
                    ulong pages = (ulong)(i % 5) + 1;
                    var r = os.Mmap(0, pages * 4096, Protection.ReadWrite, MapFlags.PrivateAnonymous);
                    Assert.True(r.Succeeded);
                    for (ulong p = 0; p < pages; p++)
                    {
                        os.WriteUInt64(r.Value + p * 4096 + 8, ((ulong)(uint)t << 32) | (uint)i);
                    }

                    own.Add(r.Value | pages);
                    if (own.Count > 8)
                    {
                        ulong victim = own[0];
                        own.RemoveAt(0);
                        ulong address = victim & ~0xFFFUL;
                        ulong count = victim & 0xFFF;
                        for (ulong p = 0; p < count; p++)
                        {
                            Assert.Equal(t, (int)(os.ReadUInt64(address + p * 4096 + 8) >> 32));
                        }

                        Assert.True(os.Munmap(address, count * 4096).Succeeded);
                    }
                }

                foreach (ulong victim in own)
                {
                    Assert.True(os.Munmap(victim & ~0xFFFUL, (victim & 0xFFF) * 4096).Succeeded);
                }
            }
            catch (Exception e)
            {
                lock (errors)
                {
                    errors.Add(e);
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Empty(errors);
        var s = os.GetStatistics();
        Assert.Equal(0UL, s.RssBytes);
        Assert.Equal(0UL, s.VszBytes);
        Assert.Equal(0, s.MapCount);
        Assert.Equal(Threads * Iterations, s.Mmap);
    }

    [Fact]
    public void ConcurrentFirstTouchOfOnePage_CountsOneFault()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0, 64 * 4096, Protection.ReadWrite, MapFlags.PrivateAnonymous).Value;
        Parallel.For(0, 8, t =>
        {
            for (ulong p = 0; p < 64; p++)
            {
                os.ReadUInt64(a + p * 4096 + (ulong)t * 8);
            }
        });
        Assert.Equal(64, os.GetStatistics().PageFaults);
        Assert.Equal(64UL * 4096, os.GetStatistics().RssBytes);
    }
}
