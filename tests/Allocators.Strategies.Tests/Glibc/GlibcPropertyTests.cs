// Copyright (c) Allocators contributors. MIT License.

using Allocators.Strategies.Glibc;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Allocators.Strategies.Tests.Glibc;

/// <summary>
/// Random operation sequences (sizes biased to tcache, fastbin, small/large bin, mmap and page boundaries) keep the
/// heap invariants G1..G9, never overlap live blocks and preserve their contents.
/// </summary>
[Trait("Category", "Property")]
public sealed class GlibcPropertyTests
{
    private static readonly ulong[] s_interesting = [0, 1, 24, 25, 40, 120, 128, 1000, 1032, 1033, 0x3f8, 0x4f0, 4096, 65536, 131072, 131073, 200000, 1 << 20];

    private static ulong NextSize(Random r) => r.Next(6) switch
    {
        0 => (ulong)r.Next(0, 128),
        1 => (ulong)r.Next(128, 1100),
        2 => (ulong)r.Next(1100, 70000),
        3 => s_interesting[r.Next(s_interesting.Length)],
        4 => (ulong)r.Next(100000, 400000),
        _ => (ulong)r.Next(0, 4096),
    };

    [Property(MaxTest = 40)]
    public Property RandomOperations_KeepInvariantsAndContents(int seed, bool withMallopt)
    {
        var r = new Random(seed);
        var options = new GlibcAllocatorOptions { CheckLevel = HeapCheckLevel.Full };
        using var h = new GlibcHeap(options);
        var live = new List<(ulong Ptr, ulong Size, byte Tag)>();
        int steps = 300 * Math.Max(1, int.TryParse(Environment.GetEnvironmentVariable("ALLOCATORS_PROPERTY_SCALE"), out int s) ? s : 1);
        for (int i = 0; i < steps; i++)
        {
            int op = r.Next(100);
            if (op < 40 || live.Count == 0)
            {
                ulong size = NextSize(r);
                ulong p = op % 7 == 0 ? h.Glibc.AllocateZeroed(1, size) : op % 11 == 0 ? h.Glibc.AllocateAligned(1UL << r.Next(4, 13), size) : h.Malloc(size);
                Assert.NotEqual(0UL, p);
                byte tag = (byte)r.Next(1, 255);
                h.Os.Fill(p, Math.Min(size, 64), tag);
                live.Add((p, size, tag));
            }
            else if (op < 80)
            {
                int k = r.Next(live.Count);
                (ulong p, ulong size, byte tag) = live[k];
                Verify(h, p, size, tag);
                h.Free(p);
                live.RemoveAt(k);
            }
            else if (op < 95)
            {
                int k = r.Next(live.Count);
                (ulong p, ulong size, byte tag) = live[k];
                ulong ns = NextSize(r) + 1;
                ulong q = h.Glibc.Reallocate(p, ns);
                Assert.NotEqual(0UL, q);
                Verify(h, q, Math.Min(size, ns), tag);
                h.Os.Fill(q, Math.Min(ns, 64), tag);
                live[k] = (q, ns, tag);
            }
            else if (withMallopt && op < 97)
            {
                h.Glibc.Mallopt(r.Next(2) == 0 ? GlibcMallopt.MxFast : GlibcMallopt.TrimThreshold, r.Next(0, 160));
            }
            else
            {
                h.Glibc.Trim((ulong)r.Next(0, 70000));
            }
        }

        live.Sort((a, b) => a.Ptr.CompareTo(b.Ptr));
        for (int i = 1; i < live.Count; i++)
        {
            Assert.True(live[i - 1].Ptr + h.Glibc.UsableSize(live[i - 1].Ptr) <= live[i].Ptr, "live blocks overlap");
        }

        return h.Glibc.CheckHeap(HeapCheckLevel.Full).Succeeded.ToProperty();
    }

    private static void Verify(GlibcHeap h, ulong p, ulong size, byte tag)
    {
        for (ulong j = 0; j < Math.Min(size, 64); j++)
        {
            Assert.Equal(tag, h.Os.ReadByte(p + j));
        }
    }
}
