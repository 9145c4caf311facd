// Copyright (c) Allocators contributors. MIT License.

using Allocators.Strategies.Glibc;

namespace Allocators.Strategies.Tests.Glibc;

/// <summary>
/// malloc_consolidate's exact results (merged heads, feet, the stale words it leaves inside a merged chunk, merging into
/// top) and a drain: every block freed, fastbins consolidated by a large free and the heap trimmed back.
/// </summary>
public sealed class GlibcConsolidateTests
{
    private static readonly GlibcAllocatorOptions s_noTcache = new() { TcacheCount = 0 };

    [Fact]
    public void MallocConsolidate_ThreeAdjacentFastChunks_MergeIntoOneWithGlibcsWords()
    {
        using var h = new GlibcHeap(s_noTcache);
        ulong a = h.Malloc(0x18);
        ulong b = h.Malloc(0x18);
        ulong c = h.Malloc(0x18);
        ulong guard = h.Malloc(0x18);
        h.Free(a);
        h.Free(b);
        h.Free(c);

        // Fastbin chunks keep their in-use bits: b's and c's P bits and the guard's are still set.
        Assert.Equal(0x21UL, h.Hdr(c));
        Assert.Equal(0x21UL, h.Hdr(guard));

        // A large request consolidates the fastbins (c first, then b takes c in, then a takes b in) and is served from top.
        ulong big = h.Malloc(0x500);
        Assert.True(big > guard);

        Assert.Equal(0x61UL, h.Hdr(a));
        Assert.Equal(0x60UL, h.Os.ReadUInt64(guard - 16));
        Assert.Equal(0x20UL, h.Hdr(guard));

        // Inside the merged chunk: b's head as set when b took c in, c's head untouched since c was a fastbin chunk.
        Assert.Equal(0x41UL, h.Hdr(b));
        Assert.Equal(0x21UL, h.Hdr(c));

        // The unsorted scan of the large request put the merged chunk in its small bin: fd and bk name the same head.
        Assert.Equal(h.Os.ReadUInt64(a), h.Os.ReadUInt64(a + 8));
        h.AssertConsistent();

        // The 0x60 chunk serves a request of its size exactly.
        Assert.Equal(a, h.Malloc(0x58));
        h.AssertConsistent();
    }

    [Fact]
    public void MallocConsolidate_FastChunkBetweenFreeChunkAndTop_MergesBothIntoTop()
    {
        using var h = new GlibcHeap(s_noTcache);
        ulong x = h.Malloc(0x100);
        ulong a = h.Malloc(0x18);
        h.Free(x);
        h.Free(a);

        // a's P bit is clear (x is free in the unsorted bin), and a borders top.
        Assert.Equal(0x20UL, h.Hdr(a));
        Assert.Equal(0x110UL, h.Os.ReadUInt64(a - 16));

        ulong big = h.Malloc(0x500);

        // Consolidation merged a back into x and both into top: the request is carved from x's address.
        Assert.Equal(x, big);
        Assert.Equal(0x511UL, h.Hdr(big));
        Assert.Equal(big - 16 + 0x510, h.Glibc.TopChunk);
        h.AssertConsistent();
    }

    [Fact]
    public void MallocConsolidate_FastChunkBeforeFreeNormalChunk_UnlinksItAndMergesForward()
    {
        using var h = new GlibcHeap(s_noTcache);
        ulong a = h.Malloc(0x18);
        ulong y = h.Malloc(0x100);
        ulong guard = h.Malloc(0x18);
        h.Free(y);
        h.Free(a);
        Assert.Equal(0UL, h.Hdr(guard) & 1);

        ulong big = h.Malloc(0x500);
        Assert.True(big > guard);

        // a took y in: one 0x130 chunk ending at the guard, whose PREV word is its foot.
        Assert.Equal(0x131UL, h.Hdr(a));
        Assert.Equal(0x130UL, h.Os.ReadUInt64(guard - 16));
        Assert.Equal(0x20UL, h.Hdr(guard));
        h.AssertConsistent();
        Assert.Equal(a, h.Malloc(0x128));
        h.AssertConsistent();
    }

    [Fact]
    public void Free_DrainOfEveryBlock_LastLargeFreeConsolidatesAndTrims()
    {
        using var h = new GlibcHeap();
        var blocks = new List<ulong>();
        var random = new Random(7);
        for (int i = 0; i < 3000; i++)
        {
            blocks.Add(h.Malloc((ulong)random.Next(1, i % 10 == 0 ? 4000 : 120)));
        }

        // The last block borders top and is big enough that freeing it crosses the consolidation threshold.
        ulong last = h.Malloc(0x18000);
        Assert.Equal(last - 16 + 0x18010, h.Glibc.TopChunk);
        ulong grown = h.Brk;

        // Free the rest in a scattered order, as a program's exit-time drain does: the break never moves.
        h.ClearSyscalls();
        for (int i = 0; i < blocks.Count; i++)
        {
            h.Free(blocks[(i * 7919) % blocks.Count]);
        }

        h.AssertConsistent();
        Assert.Empty(h.Strace());
        Assert.Contains(h.Glibc.WalkHeap(), b => b.Detail.StartsWith("fastbin", StringComparison.Ordinal));

        // The last free merges into top, consolidates every fastbin chunk (none is left cached outside the tcache) and trims.
        h.Free(last);
        h.AssertConsistent();
        Assert.Equal(0L, h.Glibc.GetStatistics().LiveBlocks);
        List<string> calls = h.Strace();
        Assert.Single(calls);
        Assert.StartsWith("brk(B0+0x", calls[0], StringComparison.Ordinal);
        Assert.True(h.Brk < grown);
        Assert.Equal(h.Brk, h.Top + (h.Hdr(h.Glibc.TopChunk + 16) & ~7UL));
        Assert.DoesNotContain(h.Glibc.WalkHeap(), b => b.Detail.StartsWith("fastbin", StringComparison.Ordinal));
    }
}
