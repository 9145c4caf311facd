// Copyright (c) Allocators contributors. MIT License.

using Allocators.Strategies.Glibc;

namespace Allocators.Strategies.Tests.Glibc;

/// <summary>
/// free's direct entry (tcache put, fastbin push and the normal path taken without the full __libc_free prologue) and its
/// fall-backs: each case that must leave the direct path still gives glibc's result, and a fault inside the normal path
/// reached from it is still reported like every other simulated SIGSEGV.
/// </summary>
[Trait("Category", "BadInput")]
public sealed class GlibcFreeDirectPathTests
{
    /// <summary>
    /// Writes <paramref name="words"/>, expects free(<paramref name="pointer"/>) to throw, restores the words and proves that
    /// nothing was written before the throw: the free then goes through and the heap checks out.
    /// </summary>
    private static HeapCorruptionException FreeWithWordsClobbered(GlibcHeap h, ulong pointer, params (ulong Address, ulong Value)[] words)
    {
        var saved = new ulong[words.Length];
        for (int i = 0; i < words.Length; i++)
        {
            saved[i] = h.Os.ReadUInt64(words[i].Address);
            h.Os.WriteUInt64(words[i].Address, words[i].Value);
        }

        HeapCorruptionException e = Assert.Throws<HeapCorruptionException>(() => h.Free(pointer));
        for (int i = words.Length - 1; i >= 0; i--)
        {
            h.Os.WriteUInt64(words[i].Address, saved[i]);
        }

        h.AssertConsistent();
        h.Free(pointer);
        h.AssertConsistent();
        return e;
    }

    [Fact]
    public void Free_UserDataHoldsTheTcacheKeyButNoDoubleFree_ChunkIsCachedAfterTheScan()
    {
        using var h = new GlibcHeap();
        ulong a = h.Malloc(24);
        ulong b = h.Malloc(24);
        h.Free(b);

        // The program left the key's value in its data: glibc scans the bin, finds no match and caches the chunk.
        h.Os.WriteUInt64(a + 8, h.Glibc.TcacheKey);
        h.Free(a);

        Assert.Equal(a, h.Malloc(24));
        Assert.Equal(b, h.Malloc(24));
        h.AssertConsistent();
    }

    [Fact]
    public void Free_TcacheBinFull_EighthGoesToItsFastbinAndComesBackFirstAfterTheTcache()
    {
        using var h = new GlibcHeap();
        var p = new ulong[9];
        for (int i = 0; i < p.Length; i++)
        {
            p[i] = h.Malloc(40);
        }

        for (int i = 0; i < 8; i++)
        {
            h.Free(p[i]);
        }

        // The eighth chunk's fd is its safe-linked fastbin link (the bin was empty: it encodes null).
        Assert.Equal(p[7] >> 12, h.Os.ReadUInt64(p[7]));
        for (int i = 6; i >= 0; i--)
        {
            Assert.Equal(p[i], h.Malloc(40));
        }

        Assert.Equal(p[7], h.Malloc(40));
        h.AssertConsistent();
    }

    [Fact]
    public void Free_NormalPathWithPrevSizeIntoUnmappedMemory_ReportsSigsegvNamingThePointer()
    {
        using var h = new GlibcHeap();
        ulong a = h.Malloc(2000);
        _ = h.Malloc(24);

        // A chunk above the tcache and fastbin sizes whose P bit is clear and whose PREV word reaches far below the heap.
        HeapCorruptionException e = FreeWithWordsClobbered(h, a, (a - 16, 0x1000_0000), (a - 8, h.Hdr(a) & ~1UL));
        Assert.Equal("SIGSEGV", e.Check);
        Assert.Equal(a, e.Address);
        Assert.Equal("free", e.Operation);
    }

    [Fact]
    public void Free_NormalPathNextSizeClobbered_InvalidNextSizeAndHeapUnchanged()
    {
        using var h = new GlibcHeap();
        ulong a = h.Malloc(2000);
        ulong b = h.Malloc(24);

        HeapCorruptionException e = FreeWithWordsClobbered(h, a, (b - 8, 0x1));
        Assert.Equal("free(): invalid next size (normal)", e.Check);
    }

    [Fact]
    public void Free_NormalPathBothNeighboursFree_CoalescesIntoOneUnsortedChunk()
    {
        using var h = new GlibcHeap();
        ulong a = h.Malloc(2000);
        ulong b = h.Malloc(2000);
        ulong c = h.Malloc(2000);
        _ = h.Malloc(24);
        h.Free(a);
        h.Free(c);
        h.Free(b);

        // a, b and c are one free chunk now, its foot at the end of c.
        ulong size = h.Hdr(a) & ~7UL;
        Assert.Equal((c + (h.Hdr(c) & ~7UL)) - a, size);
        Assert.Equal(size, h.Os.ReadUInt64(a - 16 + size));
        h.AssertConsistent();
        Assert.Equal(a, h.Malloc(6000));
    }

    [Fact]
    public void Free_FullCheckLevel_TakesTheCheckedPathAndStaysConsistent()
    {
        using var h = new GlibcHeap(new GlibcAllocatorOptions { CheckLevel = HeapCheckLevel.Full });
        var p = new ulong[10];
        for (int i = 0; i < p.Length; i++)
        {
            p[i] = h.Malloc((ulong)(24 + (i * 300)));
        }

        foreach (ulong x in p)
        {
            h.Free(x);
        }

        Assert.Equal((long)p.Length, h.Glibc.GetStatistics().Frees);
        h.AssertConsistent();
    }
}
