// Copyright (c) Allocators contributors. MIT License.

using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Allocators.Os.Tests.Properties;

[Trait("Category", "Property")]
public sealed class OsProperties
{
    private const MapFlags Anon = MapFlags.PrivateAnonymous;

    [Property(MaxTest = 100)]
    public Property MappingsNeverOverlapAndRssNeverExceedsVsz()
        => Prop.ForAll(
            Arb.From(Gen.ArrayOf(Gen.Zip(Gen.Choose(1, 6), Gen.Choose(0, 4)))),
            steps =>
            {
                using var os = new SimulatedOs();
                var live = new List<(ulong Address, ulong Bytes)>();
                foreach (var (pages, action) in steps)
                {
                    if (action == 0 && live.Count > 0)
                    {
                        var victim = live[pages % live.Count];
                        live.Remove(victim);
                        Assert.True(os.Munmap(victim.Address, victim.Bytes).Succeeded);
                    }
                    else if (action == 1 && live.Count > 0)
                    {
                        var target = live[pages % live.Count];
                        Assert.True(os.Mprotect(target.Address, 4096, Protection.None).Succeeded);
                    }
                    else
                    {
                        ulong bytes = (ulong)pages * 4096;
                        var r = os.Mmap(0, bytes, Protection.ReadWrite, Anon);
                        Assert.True(r.Succeeded);
                        Assert.All(live, l => Assert.True(r.Value + bytes <= l.Address || l.Address + l.Bytes <= r.Value));
                        live.Add((r.Value, bytes));
                        os.WriteByte(r.Value + bytes - 1, 1);
                    }

                    var maps = os.GetMappings();
                    for (int i = 1; i < maps.Count; i++)
                    {
                        Assert.True(maps[i - 1].End <= maps[i].Start);
                    }

                    var stats = os.GetStatistics();
                    Assert.True(stats.RssBytes <= stats.VszBytes);
                    Assert.Equal(maps.Aggregate(0UL, (sum, m) => sum + m.Length), stats.VszBytes);
                    Assert.Equal(maps.Aggregate(0UL, (sum, m) => sum + m.ResidentBytes), stats.RssBytes);
                }
            });

    [Property(MaxTest = 60)]
    public Property AfterMunmap_EveryByteOfTheRangeFaults()
        => Prop.ForAll(
            Arb.From(Gen.Choose(1, 8).SelectMany(total => Gen.Choose(0, total - 1).SelectMany(first => Gen.Choose(1, total - first).Select(count => (total, first, count))))),
            plan =>
            {
                var (total, first, count) = plan;
                using var os = new SimulatedOs();
                ulong a = os.Mmap(0, (ulong)total * 4096, Protection.ReadWrite, Anon).Value;
                os.Fill(a, (ulong)total * 4096, 0x5A);
                ulong start = a + ((ulong)first * 4096);
                ulong end = start + ((ulong)count * 4096);
                Assert.True(os.Munmap(start, end - start).Succeeded);
                for (ulong b = start; b < end; b++)
                {
                    Assert.False(os.IsAccessible(b, 1, Protection.None));
                }

                for (ulong b = start; b < end; b += 1021)
                {
                    var fault = Assert.Throws<SegmentationFaultException>(() => os.ReadByte(b));
                    Assert.Equal(b, fault.Address);
                    Assert.False(fault.Mapped);
                }

                Assert.Throws<SegmentationFaultException>(() => os.WriteByte(end - 1, 0));
                if (first > 0)
                {
                    Assert.Equal(0x5A, os.ReadByte(start - 1));
                }

                if (end < a + ((ulong)total * 4096))
                {
                    Assert.Equal(0x5A, os.ReadByte(end));
                }
            });

    [Property(MaxTest = 60)]
    public Property MadviseDontNeed_ThenReadGivesZeroes()
        => Prop.ForAll(
            Arb.From(Gen.Zip(Gen.Choose(1, 8), Gen.Choose(1, 255))),
            plan =>
            {
                var (pages, fill) = plan;
                using var os = new SimulatedOs();
                ulong bytes = (ulong)pages * 4096;
                ulong a = os.Mmap(0, bytes, Protection.ReadWrite, Anon).Value;
                os.Fill(a, bytes, (byte)fill);
                Assert.Equal(bytes, os.GetStatistics().RssBytes);
                Assert.True(os.Madvise(a, bytes, MadviseAdvice.DontNeed).Succeeded);
                Assert.Equal(0UL, os.GetStatistics().RssBytes);
                byte[] back = new byte[bytes];
                os.Read(a, back);
                Assert.Equal(-1, Array.FindIndex(back, b => b != 0));
                Assert.Equal(bytes, os.GetStatistics().RssBytes);
            });

    [Property(MaxTest = 60)]
    public Property BrkUpAndDown_KeepsContentsBelowTheBreak()
        => Prop.ForAll(
            Arb.From(Gen.ArrayOf(Gen.Choose(0, 40000))),
            targets =>
            {
                using var os = new SimulatedOs();
                ulong start = os.InitialBreak;
                var shadow = new byte[40000 + 4096];
                ulong top = 0;
                foreach (int target in targets)
                {
                    ulong newBreak = start + (ulong)target;
                    Assert.Equal(newBreak, os.Brk(newBreak));
                    ulong mappedEnd = (newBreak + 4095) & ~4095UL;
                    if ((ulong)target < top)
                    {
                        // Bytes between the new break and the end of its page stay mapped; whole pages above are gone.
                        Array.Clear(shadow, (int)(mappedEnd - start), shadow.Length - (int)(mappedEnd - start));
                    }

                    top = (ulong)target;

                    // Stamp a few bytes below the new break.
                    for (int i = 0; i < Math.Min(target, 3); i++)
                    {
                        int at = (target - 1 - (i * 977)) % Math.Max(target, 1);
                        if (at < 0)
                        {
                            continue;
                        }

                        byte value = (byte)(target + i);
                        os.WriteByte(start + (ulong)at, value);
                        shadow[at] = value;
                    }

                    byte[] back = new byte[target];
                    os.Read(start, back);
                    Assert.Equal(shadow.AsSpan(0, target).ToArray(), back);
                    Assert.Equal(mappedEnd - start, os.GetStatistics().VszBytes);
                }
            });
}
