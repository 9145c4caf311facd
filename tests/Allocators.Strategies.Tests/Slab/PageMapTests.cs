// Copyright (c) Allocators contributors. MIT License.

using Allocators.Strategies.Slab;

namespace Allocators.Strategies.Tests.Slab;

public sealed class PageMapTests
{
    [Fact]
    public void AddFindRemove_RandomPages_MatchesDictionary()
    {
        using var t = SlabTestOs.Create();
        var cache = t.Allocator.SizeClassCaches[0];
        var slabs = Enumerable.Range(0, 8).Select(i => new SlabDescriptor(cache, i, (ulong)(i + 1) << 12, 4096, 0)).ToArray();
        var map = new PageMap();
        var model = new Dictionary<ulong, SlabDescriptor>();
        var rng = new Random(3);
        for (int step = 0; step < 20000; step++)
        {
            // Clustered page numbers, as mmap places slabs, to stress the probe runs.
            ulong page = 0x7fff0000UL + (ulong)rng.Next(0, 3000);
            if (model.ContainsKey(page))
            {
                Assert.True(map.Remove(page));
                model.Remove(page);
            }
            else
            {
                var slab = slabs[rng.Next(slabs.Length)];
                map.Add(page, slab);
                model.Add(page, slab);
            }

            if (step % 1000 == 0)
            {
                for (ulong p = 0x7fff0000UL; p < 0x7fff0000UL + 3000; p++)
                {
                    Assert.Same(model.GetValueOrDefault(p), map.Find(p));
                }
            }
        }

        Assert.Equal(model.Count, map.Count);
        Assert.False(map.Remove(1));
    }

    [Theory]
    [InlineData(16)]
    [InlineData(48)]
    [InlineData(96)]
    [InlineData(192)]
    [InlineData(8192)]
    public void IndexOf_EveryOffset_MatchesDivision(int size)
    {
        using var t = SlabTestOs.Create();
        var cache = t.Allocator.SizeClassCaches.Single(c => c.ObjectSizeBytes == size);
        ulong a = cache.Allocate();
        var slab = t.Allocator.Pages.Find(a >> 12)!;
        for (int i = 0; i < cache.ObjectsPerSlab; i++)
        {
            Assert.Equal(i, cache.IndexOf(slab, slab.FirstObject + ((ulong)i * (ulong)size), "test"));
            if (i > 0)
            {
                ulong inside = slab.FirstObject + ((ulong)i * (ulong)size) - 8;
                Assert.Throws<AllocatorArgumentException>(() => cache.IndexOf(slab, inside, "test"));
            }
        }

        cache.Free(a);
    }
}
