// Copyright (c) Allocators contributors. MIT License.

using Allocators.Strategies.Glibc;

namespace Allocators.Strategies.Tests.Glibc;

/// <summary>
/// The split of a binned chunk found by the binmap search, the small-bin placement of the unsorted scan and calloc's
/// clearing: exact heads, feet and links, and the checks of unlink_chunk on the binmap victim with glibc's messages.
/// </summary>
public sealed class GlibcMallocSplitTests
{
    private static readonly GlibcAllocatorOptions s_noTcache = new() { TcacheCount = 0 };

    /// <summary>
    /// Frees a 0x210 chunk (guarded from top), then sorts it into its small bin with a request no bin serves; returns the
    /// freed user pointer and the guard.
    /// </summary>
    private static (ulong A, ulong Guard) SmallBinnedChunk(GlibcHeap h)
    {
        ulong a = h.Malloc(0x200);
        ulong guard = h.Malloc(16);
        h.Free(a);
        ulong big = h.Malloc(0x300);
        Assert.NotEqual(a, big);
        return (a, guard);
    }

    [Fact]
    public void Malloc_SmallerThanBinnedChunk_SplitsWithRemainderInUnsorted()
    {
        using var h = new GlibcHeap(s_noTcache);
        (ulong a, ulong guard) = SmallBinnedChunk(h);

        // The unsorted scan put a in the 0x210 small bin: its links point at that bin's head, and the guard's P bit is clear.
        Assert.Equal(h.Os.ReadUInt64(a), h.Os.ReadUInt64(a + 8));
        Assert.Equal(0x210UL, h.Os.ReadUInt64(guard - 16));
        Assert.Equal(0UL, h.Hdr(guard) & 1);

        ulong p = h.Malloc(0x100);

        Assert.Equal(a, p);
        Assert.Equal(0x111UL, h.Hdr(p));
        ulong remainder = p - 16 + 0x110;
        Assert.Equal(0x101UL, h.Os.ReadUInt64(remainder + 8));
        Assert.Equal(0x100UL, h.Os.ReadUInt64(guard - 16));
        Assert.Equal(0UL, h.Hdr(guard) & 1);

        // The remainder is the unsorted bin's only chunk and the last remainder: the next small request splits it again.
        Assert.Equal(h.Os.ReadUInt64(remainder + 16), h.Os.ReadUInt64(remainder + 24));
        ulong q = h.Malloc(0x40);
        Assert.Equal(remainder + 16, q);
        Assert.Equal(0x51UL, h.Hdr(q));
        Assert.Equal(0xb0UL, h.Os.ReadUInt64(guard - 16));
        h.AssertConsistent();
    }

    [Fact]
    public void Malloc_BinnedChunkWithinMinSize_TakenWhole()
    {
        using var h = new GlibcHeap(s_noTcache);
        (ulong a, ulong guard) = SmallBinnedChunk(h);

        ulong p = h.Malloc(0x1f8);

        Assert.Equal(a, p);
        Assert.Equal(0x211UL, h.Hdr(p));
        Assert.Equal(1UL, h.Hdr(guard) & 1);
        h.AssertConsistent();
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Malloc_BinmapVictimFootClobbered_CorruptedSizeVsPrevSize()
    {
        using var h = new GlibcHeap(s_noTcache);
        (ulong a, ulong guard) = SmallBinnedChunk(h);
        h.Os.WriteUInt64(guard - 16, 0x200);

        HeapCorruptionException e = Assert.Throws<HeapCorruptionException>(() => h.Malloc(0x100));

        Assert.Equal("corrupted size vs. prev_size", e.Check);
        Assert.Equal(a - 16, e.Address);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Malloc_BinmapVictimBkClobbered_CorruptedDoubleLinkedList()
    {
        using var h = new GlibcHeap(s_noTcache);
        (ulong a, ulong guard) = SmallBinnedChunk(h);
        h.Os.WriteUInt64(a + 8, guard - 16);

        HeapCorruptionException e = Assert.Throws<HeapCorruptionException>(() => h.Malloc(0x100));

        Assert.Equal("corrupted double-linked list", e.Check);
        Assert.Equal(a - 16, e.Address);
    }

    [Theory]
    [InlineData(13UL, 16UL)]
    [InlineData(1UL, 0x1f8UL)]
    [InlineData(3UL, 0x3000UL)]
    public void Calloc_ReusedDirtyChunk_ClearsExactlyTheUsableBytes(ulong count, ulong size)
    {
        using var h = new GlibcHeap(s_noTcache);
        ulong n = count * size;
        ulong a = h.Malloc(n);
        ulong guard = h.Malloc(16);
        ulong usable = h.Hdr(a) - 1 - 8;
        for (ulong i = 0; i < usable; i += 8)
        {
            h.Os.WriteUInt64(a + i, 0xabababababababab);
        }

        ulong guardHead = h.Hdr(guard);
        h.Free(a);

        ulong p = h.Glibc.AllocateZeroed(count, size);

        Assert.Equal(a, p);
        for (ulong i = 0; i < usable; i += 8)
        {
            Assert.Equal(0UL, h.Os.ReadUInt64(p + i));
        }

        Assert.Equal(guardHead, h.Hdr(guard));
        h.AssertConsistent();
    }
}
