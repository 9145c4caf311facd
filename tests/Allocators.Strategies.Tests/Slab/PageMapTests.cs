// Copyright (c) Allocators contributors. MIT License.

using Allocators.Strategies.Slab;

namespace Allocators.Strategies.Tests.Slab;

public sealed class PageMapTests
{
    [Theory]
    [InlineData(1UL)]         // every page falls in the flat window
    [InlineData(64UL)]        // most pages fall outside it: the hash table and the window together
    [InlineData(1UL << 20)]   // pages scattered over the address space
    public void AddFindRemove_RandomPages_MatchesDictionary(ulong spread)
    {
        using var t = SlabTestOs.Create();
        var cache = t.Allocator.SizeClassCaches[0];
        var slabs = Enumerable.Range(0, 8).Select(i => new SlabDescriptor(cache, i, (ulong)(i + 1) << 12, 4096, 0)).ToArray();
        var map = new PageMap();
        var model = new Dictionary<ulong, SlabDescriptor>();
        var rng = new Random(3);
        for (int step = 0; step < 20000; step++)
        {
            // Clustered page numbers, as mmap places slabs, to stress the probe runs (and, spread out, the window's edges).
            ulong page = 0x7fff0000UL + ((ulong)rng.Next(0, 3000) * spread);
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
                for (ulong p = 0; p < 3000; p++)
                {
                    ulong page2 = 0x7fff0000UL + (p * spread);
                    Assert.Same(model.GetValueOrDefault(page2), map.Find(page2));
                    Assert.Same(model.GetValueOrDefault(page2)?.Cache, map.Lookup(page2).Cache);
                    ulong w = page2 - map.WindowBase;
                    if (w < (ulong)map.Window.Length)
                    {
                        // The free fast path's compact copy says the same as the full entry.
                        FastPageEntry fast = map.FastWindow[(int)w];
                        Assert.Same(model.GetValueOrDefault(page2)?.Cache, fast.General);
                        Assert.Equal(map.Window[(int)w].FirstObject, fast.FirstObject);
                        Assert.Equal(map.Window[(int)w].SlotBase, fast.SlotBase);
                    }

                    if (spread > 1)
                    {
                        Assert.Null(map.Find(page2 + (spread / 2)));   // between two candidate pages: never mapped
                    }
                }
            }
        }

        Assert.Equal(model.Count, map.Count);
        Assert.False(map.Remove(1));
        if (spread == 1)
        {
            Assert.Equal(0, map.HashedCount);
        }
        else
        {
            Assert.True(map.HashedCount > 0);
        }
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
