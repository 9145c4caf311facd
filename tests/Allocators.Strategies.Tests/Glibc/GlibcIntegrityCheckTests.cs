// Copyright (c) Allocators contributors. MIT License.

using Allocators.Strategies.Glibc;

namespace Allocators.Strategies.Tests.Glibc;

/// <summary>
/// Every glibc 2.36 integrity check of spec §18, triggered by corrupting simulated memory the way a buggy program
/// would (double free, use-after-free writes, overflow into the next header). Each test asserts glibc's exact
/// message, then repairs the corrupted words and proves the allocator is consistent and usable (checks throw
/// before they mutate).
/// </summary>
[Trait("Category", "BadInput")]
public sealed class GlibcIntegrityCheckTests
{
    private static readonly GlibcAllocatorOptions s_noTcache = new() { TcacheCount = 0 };

    private static HeapCorruptionException Expect(string check, Action act)
    {
        HeapCorruptionException e = Assert.Throws<HeapCorruptionException>(act);
        Assert.Equal(check, e.Check);
        Assert.Equal("glibc", e.Strategy);
        return e;
    }

    private static void AssertUsable(GlibcHeap h)
    {
        h.AssertConsistent();
        ulong a = h.Malloc(40);
        ulong b = h.Malloc(3000);
        Assert.NotEqual(0UL, a);
        Assert.NotEqual(0UL, b);
        h.Free(a);
        h.Free(b);
        h.AssertConsistent();
    }

    [Fact]
    public void Free_TwiceAtOnce_DoubleFreeDetectedInTcache()
    {
        using var h = new GlibcHeap();
        ulong a = h.Malloc(24);
        h.Free(a);
        Expect("free(): double free detected in tcache 2", () => h.Free(a));
        AssertUsable(h);
    }

    [Fact]
    public void Free_TwiceLater_DoubleFreeDetectedInTcache()
    {
        using var h = new GlibcHeap();
        ulong a = h.Malloc(24);
        ulong b = h.Malloc(24);
        ulong c = h.Malloc(24);
        h.Free(a);
        h.Free(b);
        h.Free(c);
        Expect("free(): double free detected in tcache 2", () => h.Free(a));
        AssertUsable(h);
    }

    [Fact]
    public void Free_EightThenRefreeLast_Fasttop()
    {
        using var h = new GlibcHeap();
        var p = new ulong[8];
        for (int i = 0; i < 8; i++)
        {
            p[i] = h.Malloc(24);
        }

        foreach (ulong x in p)
        {
            h.Free(x);
        }

        Expect("double free or corruption (fasttop)", () => h.Free(p[7]));
        AssertUsable(h);
    }

    [Fact]
    public void Free_UnsortedChunkTwice_NotPrev()
    {
        using var h = new GlibcHeap();
        ulong a = h.Malloc(0x500);
        h.Malloc(16);
        h.Free(a);
        Expect("double free or corruption (!prev)", () => h.Free(a));
        AssertUsable(h);
    }

    [Fact]
    public void Free_ChunkMergedIntoTop_Top()
    {
        using var h = new GlibcHeap();
        ulong a = h.Malloc(0x500);
        h.Free(a);
        Expect("double free or corruption (top)", () => h.Free(a));
        AssertUsable(h);
    }

    [Fact]
    public void Free_ZeroedSizeField_InvalidPointer()
    {
        using var h = new GlibcHeap();
        ulong a = h.Malloc(100);
        ulong saved = h.Os.ReadUInt64(a - 8);
        h.Os.WriteUInt64(a - 8, 0);
        Expect("free(): invalid pointer", () => h.Free(a));
        h.Os.WriteUInt64(a - 8, saved);
        AssertUsable(h);
    }

    [Fact]
    public void Free_MisalignedPointer_InvalidPointer()
    {
        using var h = new GlibcHeap();
        ulong a = h.Malloc(100);
        Expect("free(): invalid pointer", () => h.Free(a + 8));
        AssertUsable(h);
    }

    [Fact]
    public void Free_SizeNotMultipleOf16_InvalidSize()
    {
        using var h = new GlibcHeap();
        ulong a = h.Malloc(100);
        ulong saved = h.Os.ReadUInt64(a - 8);
        h.Os.WriteUInt64(a - 8, 0x18 | 1);
        Expect("free(): invalid size", () => h.Free(a));
        h.Os.WriteUInt64(a - 8, saved);
        AssertUsable(h);
    }

    [Fact]
    public void Free_OverflowZeroesNextHeaderOfFastChunk_InvalidNextSizeFast()
    {
        using var h = new GlibcHeap(s_noTcache);
        ulong a = h.Malloc(24);
        ulong b = h.Malloc(24);
        ulong saved = h.Os.ReadUInt64(b - 8);
        h.Os.WriteUInt64(b - 8, 0);
        Expect("free(): invalid next size (fast)", () => h.Free(a));
        h.Os.WriteUInt64(b - 8, saved);
        AssertUsable(h);
    }

    [Fact]
    public void Free_OverflowIntoNextHeaderOfLargeChunk_InvalidNextSizeNormal()
    {
        using var h = new GlibcHeap();
        ulong a = h.Malloc(0x4f0);
        ulong b = h.Malloc(0x100);
        ulong saved = h.Os.ReadUInt64(b - 8);
        h.Os.WriteUInt64(b - 8, 0x1);
        Expect("free(): invalid next size (normal)", () => h.Free(a));
        h.Os.WriteUInt64(b - 8, saved);
        AssertUsable(h);
    }

    [Fact]
    public void Free_ChunkSizeBeyondTop_Out()
    {
        using var h = new GlibcHeap();
        ulong a = h.Malloc(0x4f0);
        h.Malloc(16);
        ulong saved = h.Os.ReadUInt64(a - 8);
        h.Os.WriteUInt64(a - 8, 0x100000 | 1);
        Expect("double free or corruption (out)", () => h.Free(a));
        h.Os.WriteUInt64(a - 8, saved);
        AssertUsable(h);
    }

    [Fact]
    public void Free_UnderflowClobbersPrevSize_CorruptedSizeWhileConsolidating()
    {
        using var h = new GlibcHeap();
        ulong x = h.Malloc(0x4f0);
        ulong y = h.Malloc(0x4f0);
        h.Malloc(16);
        h.Free(x);
        ulong saved = h.Os.ReadUInt64(y - 16);
        h.Os.WriteUInt64(y - 16, 0x400);
        Expect("corrupted size vs. prev_size while consolidating", () => h.Free(y));
        h.Os.WriteUInt64(y - 16, saved);
        AssertUsable(h);
    }

    [Fact]
    public void Free_ForwardNeighbourFootClobbered_CorruptedSizeVsPrevSize()
    {
        using var h = new GlibcHeap();
        ulong x = h.Malloc(0x4f0);
        ulong y = h.Malloc(0x4f0);
        ulong g = h.Malloc(16);
        h.Free(y);
        ulong saved = h.Os.ReadUInt64(g - 16);
        h.Os.WriteUInt64(g - 16, 0);
        Expect("corrupted size vs. prev_size", () => h.Free(x));
        h.Os.WriteUInt64(g - 16, saved);
        AssertUsable(h);
    }

    [Fact]
    public void Free_UseAfterFreeWritesFd_CorruptedDoubleLinkedList()
    {
        using var h = new GlibcHeap();
        ulong x = h.Malloc(0x4f0);
        ulong y = h.Malloc(0x4f0);
        ulong g = h.Malloc(16);
        h.Free(y);
        ulong saved = h.Os.ReadUInt64(y);
        h.Os.WriteUInt64(y, g - 16);
        Expect("corrupted double-linked list", () => h.Free(x));
        h.Os.WriteUInt64(y, saved);
        AssertUsable(h);
    }

    [Fact]
    public void Free_UnsortedFrontBkClobbered_FreeCorruptedUnsortedChunks()
    {
        using var h = new GlibcHeap();
        ulong y = h.Malloc(0x4f0);
        ulong g = h.Malloc(16);
        ulong z = h.Malloc(0x4f0);
        h.Malloc(16);
        h.Free(y);
        ulong saved = h.Os.ReadUInt64(y + 8);
        h.Os.WriteUInt64(y + 8, g - 16);
        Expect("free(): corrupted unsorted chunks", () => h.Free(z));
        h.Os.WriteUInt64(y + 8, saved);
        AssertUsable(h);
    }

    [Fact]
    public void Malloc_UnsortedChunkSizeHuge_InvalidSizeUnsorted()
    {
        using var h = new GlibcHeap();
        ulong y = h.Malloc(0x4f0);
        h.Malloc(16);
        h.Free(y);
        ulong saved = h.Os.ReadUInt64(y - 8);
        h.Os.WriteUInt64(y - 8, 0x10000000 | 1);
        Expect("malloc(): invalid size (unsorted)", () => h.Malloc(0x100));
        h.Os.WriteUInt64(y - 8, saved);
        AssertUsable(h);
    }

    [Fact]
    public void Malloc_NextHeaderZeroed_InvalidNextSizeUnsorted()
    {
        using var h = new GlibcHeap();
        ulong y = h.Malloc(0x4f0);
        ulong g = h.Malloc(16);
        h.Free(y);
        ulong saved = h.Os.ReadUInt64(g - 8);
        h.Os.WriteUInt64(g - 8, 0);
        Expect("malloc(): invalid next size (unsorted)", () => h.Malloc(0x100));
        h.Os.WriteUInt64(g - 8, saved);
        AssertUsable(h);
    }

    [Fact]
    public void Malloc_FootClobbered_MismatchingNextPrevSize()
    {
        using var h = new GlibcHeap();
        ulong y = h.Malloc(0x4f0);
        ulong g = h.Malloc(16);
        h.Free(y);
        ulong saved = h.Os.ReadUInt64(g - 16);
        h.Os.WriteUInt64(g - 16, 0x40);
        Expect("malloc(): mismatching next->prev_size (unsorted)", () => h.Malloc(0x100));
        h.Os.WriteUInt64(g - 16, saved);
        AssertUsable(h);
    }

    [Fact]
    public void Malloc_UnsortedFdClobbered_UnsortedDoubleLinkedListCorrupted()
    {
        using var h = new GlibcHeap();
        ulong y = h.Malloc(0x4f0);
        ulong g = h.Malloc(16);
        h.Free(y);
        ulong saved = h.Os.ReadUInt64(y);
        h.Os.WriteUInt64(y, g - 16);
        Expect("malloc(): unsorted double linked list corrupted", () => h.Malloc(0x100));
        h.Os.WriteUInt64(y, saved);
        AssertUsable(h);
    }

    [Fact]
    public void Malloc_NextPrevInUseSet_InvalidNextPrevInuse()
    {
        using var h = new GlibcHeap();
        ulong y = h.Malloc(0x4f0);
        ulong g = h.Malloc(16);
        h.Free(y);
        ulong saved = h.Os.ReadUInt64(g - 8);
        h.Os.WriteUInt64(g - 8, saved | 1);
        Expect("malloc(): invalid next->prev_inuse (unsorted)", () => h.Malloc(0x100));
        h.Os.WriteUInt64(g - 8, saved);
        AssertUsable(h);
    }

    [Fact]
    public void Malloc_TcacheNextClobbered_UnalignedTcacheChunk()
    {
        using var h = new GlibcHeap();
        ulong a = h.Malloc(24);
        ulong b = h.Malloc(24);
        h.Free(a);
        h.Free(b);
        h.Os.WriteUInt64(b, (b >> 12) ^ (a + 8));
        Assert.Equal(b, h.Malloc(24));
        Expect("malloc(): unaligned tcache chunk detected", () => h.Malloc(24));
    }

    [Fact]
    public void Malloc_FastChunkSizeClobbered_MemoryCorruptionFast()
    {
        using var h = new GlibcHeap(s_noTcache);
        ulong x = h.Malloc(24);
        h.Malloc(24);
        h.Free(x);
        ulong saved = h.Os.ReadUInt64(x - 8);
        h.Os.WriteUInt64(x - 8, 0x31);
        Expect("malloc(): memory corruption (fast)", () => h.Malloc(24));
        h.Os.WriteUInt64(x - 8, saved);
        AssertUsable(h);
    }

    [Fact]
    public void Malloc_FastbinFdClobbered_UnalignedFastbinChunk2()
    {
        using var h = new GlibcHeap(s_noTcache);
        ulong x = h.Malloc(24);
        h.Malloc(24);
        h.Free(x);
        h.Os.WriteUInt64(x, (x >> 12) ^ (x + 8));
        Assert.Equal(x, h.Malloc(24));
        Expect("malloc(): unaligned fastbin chunk detected 2", () => h.Malloc(24));
    }

    [Fact]
    public void Malloc_FastbinFdClobberedDuringStash_UnalignedFastbinChunk3()
    {
        using var h = new GlibcHeap();
        var p = new ulong[9];
        for (int i = 0; i < 9; i++)
        {
            p[i] = h.Malloc(24);
        }

        h.Malloc(24);
        foreach (ulong x in p)
        {
            h.Free(x);
        }

        h.Os.WriteUInt64(p[8], (p[8] >> 12) ^ (p[7] + 8));
        for (int i = 0; i < 7; i++)
        {
            h.Malloc(24);
        }

        Expect("malloc(): unaligned fastbin chunk detected 3", () => h.Malloc(24));
    }

    [Fact]
    public void Malloc_SmallbinBkClobbered_SmallbinDoubleLinkedListCorrupted()
    {
        using var h = new GlibcHeap(s_noTcache);
        ulong y = h.Malloc(0x100);
        ulong g = h.Malloc(16);
        h.Free(y);
        h.Malloc(0x200);
        ulong saved = h.Os.ReadUInt64(y + 8);
        h.Os.WriteUInt64(y + 8, g - 16);
        Expect("malloc(): smallbin double linked list corrupted", () => h.Malloc(0x100));
        h.Os.WriteUInt64(y + 8, saved);
        AssertUsable(h);
    }

    [Fact]
    public void Malloc_TopSizeClobbered_CorruptedTopSize()
    {
        using var h = new GlibcHeap();
        ulong a = h.Malloc(100);
        ulong top = h.Glibc.TopChunk;
        ulong saved = h.Os.ReadUInt64(top + 8);
        h.Os.WriteUInt64(top + 8, 0xffff_ffff_0000_0001);
        Expect("malloc(): corrupted top size", () => h.Malloc(5000));
        h.Os.WriteUInt64(top + 8, saved);
        AssertUsable(h);
        _ = a;
    }

    [Fact]
    public void Malloc_TopSizeShrunkByOverflow_SysmallocAssertion()
    {
        using var h = new GlibcHeap();
        h.Malloc(100);
        ulong top = h.Glibc.TopChunk;
        ulong saved = h.Os.ReadUInt64(top + 8);
        h.Os.WriteUInt64(top + 8, 0x21);
        Expect(GlibcAllocator.SysmallocAssertion, () => h.Malloc(100));
        h.Os.WriteUInt64(top + 8, saved);
        AssertUsable(h);
    }

    [Fact]
    public void Malloc_BreakMovedDownByForeignSbrk_BreakAdjusted()
    {
        using var h = new GlibcHeap();
        h.Malloc(1);
        h.Malloc(100000);
        h.Glibc.Sbrk(-4096);
        Expect("break adjusted to free malloc space", () => h.Malloc(100000));
    }

    [Fact]
    public void Consolidate_FastChunkSizeClobbered_InvalidChunkSize()
    {
        using var h = new GlibcHeap(s_noTcache);
        ulong x = h.Malloc(24);
        h.Malloc(24);
        h.Free(x);
        h.Os.WriteUInt64(x - 8, 0x41);
        Expect("malloc_consolidate(): invalid chunk size", () => h.Malloc(2000));
    }

    [Fact]
    public void Consolidate_FastbinFdClobbered_UnalignedFastbinChunk()
    {
        using var h = new GlibcHeap(s_noTcache);
        ulong x = h.Malloc(24);
        ulong w = h.Malloc(24);
        h.Malloc(24);
        h.Free(x);
        h.Free(w);
        h.Os.WriteUInt64(w, (w >> 12) ^ (x + 8));
        Expect("malloc_consolidate(): unaligned fastbin chunk detected", () => h.Malloc(2000));
    }

    [Fact]
    public void Consolidate_PrevSizeOfFastChunkClobbered_CorruptedSizeInFastbins()
    {
        using var h = new GlibcHeap(s_noTcache);
        ulong y = h.Malloc(0x4f0);
        ulong g = h.Malloc(24);
        h.Malloc(24);
        h.Free(y);
        h.Free(g);
        h.Os.WriteUInt64(g - 16, 0x400);
        Expect("corrupted size vs. prev_size in fastbins", () => h.Malloc(0x2000));
    }

    [Fact]
    public void Free_KeyForgedAndTcacheListLoops_TooManyChunks()
    {
        using var h = new GlibcHeap();
        var p = new ulong[8];
        for (int i = 0; i < 8; i++)
        {
            p[i] = h.Malloc(24);
        }

        for (int i = 0; i < 6; i++)
        {
            h.Free(p[i]);
        }

        // The oldest entry (tail) now points back at the head: a cycle.
        h.Os.WriteUInt64(p[0], (p[0] >> 12) ^ p[5]);
        h.Os.WriteUInt64(p[7] + 8, h.Glibc.TcacheKey);
        Expect("free(): too many chunks detected in tcache", () => h.Free(p[7]));
    }

    [Fact]
    public void Free_KeyForgedAndTcacheNextMisaligned_UnalignedChunkInTcache()
    {
        using var h = new GlibcHeap();
        ulong a = h.Malloc(24);
        ulong b = h.Malloc(24);
        h.Free(a);
        h.Os.WriteUInt64(a, (a >> 12) ^ (b + 8));
        h.Os.WriteUInt64(b + 8, h.Glibc.TcacheKey);
        Expect("free(): unaligned chunk detected in tcache 2", () => h.Free(b));
    }

    [Fact]
    public void ReallocRemainder_FastbinHeadSizeClobbered_InvalidFastbinEntry()
    {
        using var h = new GlibcHeap(s_noTcache);
        ulong x = h.Malloc(0x28);
        h.Malloc(24);
        ulong big = h.Malloc(0x40);
        h.Malloc(24);
        h.Free(x);
        h.Os.WriteUInt64(x - 8, 0x41);
        Expect("invalid fastbin entry (free)", () => h.Glibc.Reallocate(big, 0x18));
    }

    [Fact]
    public void Free_MmappedChunkPrevClobbered_MunmapChunkInvalidPointer()
    {
        using var h = new GlibcHeap();
        ulong m = h.Malloc(300000);
        h.Os.WriteUInt64(m - 16, 8);
        Expect("munmap_chunk(): invalid pointer", () => h.Free(m));
        h.Os.WriteUInt64(m - 16, 0);
        h.Free(m);
        AssertUsable(h);
    }

    [Fact]
    public void Realloc_MmappedChunkPrevClobbered_MremapChunkInvalidPointer()
    {
        using var h = new GlibcHeap();
        ulong m = h.Malloc(300000);
        h.Os.WriteUInt64(m - 16, 8);
        Expect("mremap_chunk(): invalid pointer", () => h.Glibc.Reallocate(m, 400000));
    }

    [Fact]
    public void Realloc_SizeWrapsAddressSpace_InvalidPointer()
    {
        using var h = new GlibcHeap();
        ulong a = h.Malloc(100);
        ulong saved = h.Os.ReadUInt64(a - 8);
        h.Os.WriteUInt64(a - 8, 0xffff_ffff_ffff_fff1);
        Expect("realloc(): invalid pointer", () => h.Glibc.Reallocate(a, 200));
        h.Os.WriteUInt64(a - 8, saved);
        AssertUsable(h);
    }

    [Fact]
    public void Realloc_OldSizeTiny_InvalidOldSize()
    {
        using var h = new GlibcHeap();
        ulong a = h.Malloc(100);
        ulong saved = h.Os.ReadUInt64(a - 8);
        h.Os.WriteUInt64(a - 8, 0x10);
        Expect("realloc(): invalid old size", () => h.Glibc.Reallocate(a, 200));
        h.Os.WriteUInt64(a - 8, saved);
        AssertUsable(h);
    }

    [Fact]
    public void Realloc_NextHeaderZeroed_InvalidNextSize()
    {
        using var h = new GlibcHeap();
        ulong a = h.Malloc(100);
        ulong b = h.Malloc(100);
        ulong saved = h.Os.ReadUInt64(b - 8);
        h.Os.WriteUInt64(b - 8, 0);
        Expect("realloc(): invalid next size", () => h.Glibc.Reallocate(a, 200));
        h.Os.WriteUInt64(b - 8, saved);
        AssertUsable(h);
    }

    [Fact]
    public void Malloc_LargeChunkFdNextsizeClobbered_NotSmall()
    {
        using var h = new GlibcHeap();
        ulong a = h.Malloc(0x4f0);
        ulong g = h.Malloc(16);
        h.Free(a);
        h.Malloc(0x600);
        ulong saved = h.Os.ReadUInt64(a + 16);
        h.Os.WriteUInt64(a + 16, g - 16);
        Expect("corrupted double-linked list (not small)", () => h.Malloc(0x4f0));
        h.Os.WriteUInt64(a + 16, saved);
        AssertUsable(h);
    }

    [Fact]
    public void Malloc_LargeBinNextsizeRingBroken_LargebinNextsize()
    {
        using var h = new GlibcHeap();
        ulong a = h.Malloc(0x4f0);
        ulong g = h.Malloc(16);
        ulong c = h.Malloc(0x500);
        h.Malloc(16);
        h.Free(a);
        h.Malloc(0x600);
        h.Free(c);
        h.Os.WriteUInt64(a + 24, g - 16);
        Expect("malloc(): largebin double linked list corrupted (nextsize)", () => h.Malloc(0x600));
    }

    [Fact]
    public void Malloc_LargeBinBkBroken_LargebinBk()
    {
        using var h = new GlibcHeap();
        ulong a = h.Malloc(0x4f0);
        ulong g = h.Malloc(16);
        ulong c = h.Malloc(0x500);
        h.Malloc(16);
        h.Free(a);
        h.Malloc(0x600);
        h.Free(c);
        h.Os.WriteUInt64(a + 8, g - 16);
        Expect("malloc(): largebin double linked list corrupted (bk)", () => h.Malloc(0x600));
    }

    [Fact]
    public void Mallinfo2_FastbinFdMisaligned_IntMallinfoUnaligned()
    {
        using var h = new GlibcHeap(s_noTcache);
        ulong x = h.Malloc(24);
        ulong w = h.Malloc(24);
        h.Malloc(24);
        h.Free(x);
        h.Free(w);
        h.Os.WriteUInt64(w, (w >> 12) ^ (x + 8));
        Expect("int_mallinfo(): unaligned fastbin chunk detected", () => h.Glibc.Mallinfo2());
        Expect("__malloc_info(): unaligned fastbin chunk detected", () => h.Glibc.MallocInfo());
    }

    [Fact]
    public void Free_PointerIntoUnmappedMemory_ArgumentErrorNotSegfault()
    {
        using var h = new GlibcHeap();
        h.Malloc(1);
        Assert.Throws<AllocatorArgumentException>(() => h.Free(0x1000_0000));
        Assert.Throws<AllocatorArgumentException>(() => h.Glibc.Reallocate(0x1000_0000, 5));
        AssertUsable(h);
    }

    [Fact]
    public void Free_NeverAllocatedPointerInHeap_GlibcMessage()
    {
        using var h = new GlibcHeap();
        ulong a = h.Malloc(100);
        HeapCorruptionException e = Assert.Throws<HeapCorruptionException>(() => h.Free(a + 32));
        Assert.Contains(e.Check, new[] { "free(): invalid pointer", "free(): invalid size" });
        AssertUsable(h);
    }

    [Fact]
    public void Free_LinkIntoUnmappedMemory_SigsegvCorruptionAndCheckerReportsIt()
    {
        using var h = new GlibcHeap();
        ulong x = h.Malloc(0x4f0);
        ulong y = h.Malloc(0x4f0);
        h.Malloc(16);
        h.Free(y);
        ulong saved = h.Os.ReadUInt64(y);
        h.Os.WriteUInt64(y, 0x10);
        HeapCheckResult r = h.Glibc.CheckHeap(HeapCheckLevel.Full);
        Assert.False(r.Succeeded);
        _ = h.Glibc.GetStatistics();
        Expect("SIGSEGV", () => h.Free(x));
        h.Os.WriteUInt64(y, saved);
        AssertUsable(h);
    }

    [Fact]
    public void Malloc_UnsortedBkPointsIntoArenaPlusOne_UnsortedDoubleLinkedListCorrupted()
    {
        // The bk of the only unsorted chunk points at the unsorted bin head inside libc's .data; an off-by-one makes
        // glibc read bck->fd unaligned from the arena and abort (found by the oracle's differential tests).
        using var h = new GlibcHeap();
        ulong y = h.Malloc(4967);
        h.Malloc(991);
        h.Free(y);
        h.Os.WriteUInt64(y + 8, h.Os.ReadUInt64(y + 8) ^ 1);
        Expect("malloc(): unsorted double linked list corrupted", () => h.Glibc.AllocateZeroed(4, 20));
        h.Os.WriteUInt64(y + 8, h.Os.ReadUInt64(y + 8) ^ 1);
        AssertUsable(h);
    }
}
