// Copyright (c) Allocators contributors. MIT License.

using Allocators.Strategies.Glibc;

namespace Allocators.Strategies.Tests.Glibc;

/// <summary>
/// The entries of malloc and free: their inline fast paths release the lock themselves and store no operation name, so
/// every other path (the handlers of the out-of-line methods) must name its own operation in errors and release the lock
/// however it ends; with the full check level no call may bypass the checker through a fast path.
/// </summary>
[Trait("Category", "BadInput")]
public sealed class GlibcEntryTests
{
    /// <summary>Another thread can take the lock (a lock left held would make it spin until the timeout).</summary>
    private static void AssertLockReleased(GlibcHeap h)
    {
        Task<AllocatorStatistics> t = Task.Run(() => h.Glibc.GetStatistics());
        Assert.True(t.Wait(TimeSpan.FromSeconds(30)), "the allocator's lock was left held");
    }

    [Fact]
    public void Free_NormalPathFailsAfterFastMallocs_ErrorNamesFreeAndLockIsReleased()
    {
        using var h = new GlibcHeap();
        ulong a = h.Malloc(24);
        h.Free(a);
        Assert.Equal(a, h.Malloc(24)); // the inline tcache hit
        ulong x = h.Malloc(0x500);     // above the tcache and the fastbins: free's normal path
        ulong g = h.Malloc(24);
        AssertLockReleased(h);

        // The next chunk's SIZE word too small: _int_free's normal path aborts before writing anything.
        ulong saved = h.Hdr(g);
        h.Os.WriteUInt64(g - 8, 0x1);
        HeapCorruptionException e = Assert.Throws<HeapCorruptionException>(() => h.Free(x));
        Assert.Equal("free", e.Operation);
        Assert.Equal("free(): invalid next size (normal)", e.Check);
        Assert.Equal(x, e.Address);
        AssertLockReleased(h);

        h.Os.WriteUInt64(g - 8, saved);
        h.Free(x);
        AssertLockReleased(h);
        h.AssertConsistent();
        Assert.Equal(2, h.Glibc.GetStatistics().Frees);
    }

    [Fact]
    public void Allocate_UnalignedTcacheEntryAfterFastFrees_ErrorNamesMallocAndLockIsReleased()
    {
        using var h = new GlibcHeap();
        ulong a = h.Malloc(24);
        ulong b = h.Malloc(24);
        h.Free(0); // the full free path, which names its operation "free"
        h.Free(b);
        h.Free(a); // bin: a -> b, both through the inline put

        // a's safe-linked next now decodes to b + 1: the first malloc takes a, the second finds an unaligned entry.
        h.Os.WriteUInt64(a, (a >> 12) ^ (b + 1));
        Assert.Equal(a, h.Malloc(24));
        HeapCorruptionException e = Assert.Throws<HeapCorruptionException>(() => h.Malloc(24));
        Assert.Equal("malloc", e.Operation);
        Assert.Equal("malloc(): unaligned tcache chunk detected", e.Check);
        Assert.Equal(b + 1, e.Address);
        AssertLockReleased(h);

        // Another size class still works, on this thread too.
        Assert.NotEqual(0UL, h.Malloc(100));
        AssertLockReleased(h);
    }

    [Fact]
    public void Allocate_TcacheBinEmptyAndFastbinCorrupted_ErrorNamesMallocAndLockIsReleased()
    {
        using var h = new GlibcHeap();
        var p = new ulong[9];
        for (int i = 0; i < p.Length; i++)
        {
            p[i] = h.Malloc(24);
        }

        h.Free(0); // the full free path, which names its operation "free"
        for (int i = 0; i < 8; i++)
        {
            h.Free(p[i]); // seven into the tcache bin, the eighth onto its fastbin
        }

        for (int i = 6; i >= 0; i--)
        {
            Assert.Equal(p[i], h.Malloc(24));
        }

        // The bin is empty now: malloc goes straight to _int_malloc, whose fastbin check sees a size of another bin.
        ulong saved = h.Hdr(p[7]);
        h.Os.WriteUInt64(p[7] - 8, 0x41);
        HeapCorruptionException e = Assert.Throws<HeapCorruptionException>(() => h.Malloc(24));
        Assert.Equal("malloc", e.Operation);
        Assert.Equal("malloc(): memory corruption (fast)", e.Check);
        AssertLockReleased(h);

        // The check runs before the simulation updates the bin head (nothing was written): restored, the chunk comes back.
        h.Os.WriteUInt64(p[7] - 8, saved);
        Assert.Equal(p[7], h.Malloc(24));
        AssertLockReleased(h);
        h.AssertConsistent();
    }

    [Fact]
    public void Allocate_AboveTheTcacheWithCorruptedTop_ErrorNamesMallocAndLockIsReleased()
    {
        using var h = new GlibcHeap();
        ulong a = h.Malloc(0x500);
        h.Free(0); // the full free path, which names its operation "free"

        // Above the tcache's bins: straight to _int_malloc, whose use of the top checks its size against system_mem.
        ulong top = h.Glibc.TopChunk;
        ulong saved = h.Os.ReadUInt64(top + 8);
        h.Os.WriteUInt64(top + 8, 0x1000_0001);
        HeapCorruptionException e = Assert.Throws<HeapCorruptionException>(() => h.Malloc(0x500));
        Assert.Equal("malloc", e.Operation);
        Assert.Equal("malloc(): corrupted top size", e.Check);
        AssertLockReleased(h);

        h.Os.WriteUInt64(top + 8, saved);
        Assert.Equal(a + 0x510, h.Malloc(0x500));
        AssertLockReleased(h);
        h.AssertConsistent();
    }

    [Fact]
    public void AllocateAndFree_FullCheckLevel_TcacheHitAndPutStillRunTheChecker()
    {
        using var h = new GlibcHeap(new GlibcAllocatorOptions { CheckLevel = HeapCheckLevel.Full });
        ulong a = h.Malloc(24);
        ulong b = h.Malloc(40);
        ulong c = h.Malloc(24);
        h.Free(a);

        // b's P bit cleared while a (its previous chunk, in the tcache) counts as in use: G4 fails, which no tcache
        // operation itself notices, only the checker that the full level runs after every call.
        ulong saved = h.Hdr(b);
        h.Os.WriteUInt64(b - 8, saved & ~1UL);
        HeapCorruptionException m = Assert.Throws<HeapCorruptionException>(() => h.Malloc(24));
        Assert.Equal("malloc", m.Operation);
        Assert.Equal("G4", m.Check);
        AssertLockReleased(h);

        HeapCorruptionException f = Assert.Throws<HeapCorruptionException>(() => h.Free(c));
        Assert.Equal("free", f.Operation);
        Assert.Equal("G4", f.Check);
        AssertLockReleased(h);

        h.Os.WriteUInt64(b - 8, saved);
        h.AssertConsistent();
    }

    [Fact]
    public void AllocateAndFree_AfterAThreadSwitch_TakeTheFullPathsWithTheSameResults()
    {
        using var h = new GlibcHeap();
        ulong a = h.Malloc(24);
        h.Free(a);
        ulong t1;
        using (SimulatedThread.Enter(1))
        {
            // Thread 1 has no tcache yet: its first malloc builds one (in its own arena), never taking thread 0's chunk.
            t1 = h.Malloc(24);
            Assert.NotEqual(a, t1);
            h.Free(t1);
            Assert.Equal(t1, h.Malloc(24));
            h.Free(t1);
        }

        // Back on thread 0: its own tcache chunk again, through the entry's switch check.
        Assert.Equal(a, h.Malloc(24));
        h.Free(a);
        AssertLockReleased(h);
        h.AssertConsistent();
        AllocatorStatistics s = h.Glibc.GetStatistics();
        Assert.Equal(4, s.Allocations);
        Assert.Equal(4, s.Frees);
    }
}
