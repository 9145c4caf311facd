// Copyright (c) Allocators contributors. MIT License.

using Allocators.Strategies.Slab;

namespace Allocators.Strategies.Tests.Slab;

public sealed class SlabCacheTests
{
    [Fact]
    public void CreateCache_Geometry_RoundsToAlignmentAndChoosesPages()
    {
        using var t = SlabTestOs.Create();
        var cache = t.Allocator.CreateCache("inode", 100, 32);
        Assert.Equal("inode", cache.Name);
        Assert.True(cache.IsTyped);
        Assert.Equal(128, cache.ObjectSizeBytes);
        Assert.Equal(32, cache.AlignmentBytes);
        Assert.Equal(32, cache.ObjectsPerSlab);
        Assert.Equal(1, cache.PagesPerSlab);
        ulong a = cache.Allocate();
        Assert.Equal(0UL, a % 32);
        Assert.Equal(128UL, t.Allocator.UsableSize(a));
        cache.Free(a);
        Assert.Contains(t.Allocator.GetTypedCaches(), c => c == cache);
        Assert.Contains(t.Allocator.GetSlabInfo(), i => i.Name == "inode" && i.TotalSlabs == 1);
    }

    [Fact]
    public void Constructor_RunsOncePerSlotWhenSlabIsCreated_NotPerAllocation()
    {
        using var t = SlabTestOs.Create(magazineSize: 4, emptySlabs: 0);
        var constructed = new Dictionary<ulong, int>();
        var destructed = new Dictionary<ulong, int>();
        var cache = t.Allocator.CreateCache(
            "widget",
            40,
            8,
            (address, os) =>
            {
                constructed[address] = constructed.GetValueOrDefault(address) + 1;
                os.WriteUInt64(address, 0xC0FFEE);
            },
            (address, os) =>
            {
                Assert.Equal(0xC0FFEEUL, os.ReadUInt64(address) & 0xFFFFFF);
                destructed[address] = destructed.GetValueOrDefault(address) + 1;
            });

        ulong first = cache.Allocate();
        Assert.Equal(cache.ObjectsPerSlab, constructed.Count);
        Assert.All(constructed.Values, n => Assert.Equal(1, n));
        Assert.Equal(0xC0FFEEUL, t.Os.ReadUInt64(first));

        // Churn: no further constructor call, and a freed object keeps its constructed state (the free pointer sits behind it).
        for (int i = 0; i < 100; i++)
        {
            ulong a = cache.Allocate();
            Assert.Equal(0xC0FFEEUL, t.Os.ReadUInt64(a) & 0xFFFFFF);
            t.Os.WriteUInt64(a, 0xC0FFEE | ((ulong)i << 32));  // the object's own state survives
            cache.Free(a);
        }

        Assert.Equal(cache.ObjectsPerSlab, constructed.Count);
        Assert.All(constructed.Values, n => Assert.Equal(1, n));
        Assert.Empty(destructed);

        cache.Free(first);
        t.Allocator.Reap();
        Assert.Equal(constructed.Keys.Order(), destructed.Keys.Order());
        Assert.All(destructed.Values, n => Assert.Equal(1, n));
        Assert.Equal(t.BaselineVsz, t.Os.GetStatistics().VszBytes);
        t.AssertConsistent();
    }

    [Fact]
    public void Constructor_NewSlab_ConstructsOnlyTheNewSlab()
    {
        using var t = SlabTestOs.Create();
        int calls = 0;
        var cache = t.Allocator.CreateCache("counted", 64, 16, (_, _) => calls++);
        var objects = Enumerable.Range(0, cache.ObjectsPerSlab + 1).Select(_ => cache.Allocate()).ToList();
        Assert.Equal(2 * cache.ObjectsPerSlab, calls);
        Assert.Equal(2, t.Allocator.GetSlabInfo().Single(i => i.Name == "counted").TotalSlabs);
        objects.ForEach(cache.Free);
        t.AssertConsistent();
    }

    [Fact]
    public void Constructor_Throws_SlabIsUndoneAndCacheStaysUsable()
    {
        using var t = SlabTestOs.Create();
        bool fail = true;
        int destroyed = 0;
        var cache = t.Allocator.CreateCache(
            "fragile",
            32,
            16,
            (address, _) =>
            {
                if (fail && (address & 4095) > 256)
                {
                    throw new InvalidOperationException("ctor failed");
                }
            },
            (_, _) => destroyed++);
        Assert.Throws<InvalidOperationException>(() => cache.Allocate());
        Assert.True(destroyed > 0);
        Assert.Equal(t.BaselineVsz, t.Os.GetStatistics().VszBytes);
        t.AssertConsistent();
        fail = false;
        cache.Free(cache.Allocate());
        t.AssertConsistent();
    }

    [Fact]
    public void Constructor_CallingBackIntoTheAllocator_Throws()
    {
        using var t = SlabTestOs.Create();
        SlabAllocator allocator = t.Allocator;
        var cache = allocator.CreateCache("reentrant", 32, 16, (_, _) => allocator.Allocate(8));
        Assert.Throws<InvalidOperationException>(() => cache.Allocate());
        t.AssertConsistent();
    }

    [Fact]
    public void Free_IntoWrongCache_ThrowsNamingBothCachesAndStaysConsistent()
    {
        using var t = SlabTestOs.Create(magazineSize: 2);
        var dentries = t.Allocator.CreateCache("dentry", 192);
        var inodes = t.Allocator.CreateCache("inode", 192);
        ulong d = dentries.Allocate();
        var ex = Assert.Throws<AllocatorArgumentException>(() => inodes.Free(d));
        Assert.Equal(d, ex.Address);
        Assert.Contains("'dentry'", ex.Message);
        Assert.Contains("'inode'", ex.Message);

        ulong k = t.Allocator.Allocate(100);
        Assert.Throws<AllocatorArgumentException>(() => inodes.Free(k));
        var viaMalloc = Assert.Throws<AllocatorArgumentException>(() => t.Allocator.Free(d));
        Assert.Contains("typed cache 'dentry'", viaMalloc.Message);
        t.AssertConsistent();
        dentries.Free(d);
        Assert.Throws<HeapCorruptionException>(() => dentries.Free(d));
        t.Allocator.Free(k);
        t.AssertConsistent();
    }

    [Fact]
    public void CreateCache_BadArguments_Throw()
    {
        using var t = SlabTestOs.Create();
        Assert.Throws<ArgumentException>(() => t.Allocator.CreateCache(" ", 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Allocator.CreateCache("zero", 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Allocator.CreateCache("odd", 8, 24));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Allocator.CreateCache("huge", 40_000));
        Assert.Throws<ArgumentException>(() => t.Allocator.CreateCache("kmalloc-64", 8));
        t.Allocator.CreateCache("dup", 8);
        Assert.Throws<ArgumentException>(() => t.Allocator.CreateCache("dup", 8));
    }

    [Fact]
    public void DestroyCache_WithLiveObjects_ThrowsThenSucceedsWhenEmpty()
    {
        using var t = SlabTestOs.Create(magazineSize: 4);
        int destructed = 0;
        var cache = t.Allocator.CreateCache("temp", 256, 16, null, (_, _) => destructed++);
        ulong a = cache.Allocate();
        Assert.Throws<InvalidOperationException>(() => t.Allocator.DestroyCache(cache));
        cache.Free(a);
        t.Allocator.DestroyCache(cache);
        Assert.Equal(cache.ObjectsPerSlab, destructed);
        Assert.DoesNotContain(t.Allocator.GetSlabInfo(), i => i.Name == "temp");
        Assert.Throws<ObjectDisposedException>(() => cache.Allocate());
        Assert.Equal(t.BaselineVsz, t.Os.GetStatistics().VszBytes);
        t.AssertConsistent();
    }
}
