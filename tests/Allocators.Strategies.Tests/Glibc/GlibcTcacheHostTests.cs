// Copyright (c) Allocators contributors. MIT License.

using Allocators.Os;
using Allocators.Strategies.Glibc;

namespace Allocators.Strategies.Tests.Glibc;

/// <summary>The cached host address of the tcache_perthread_struct never outlives the page's rights or contents.</summary>
public sealed class GlibcTcacheHostTests
{
    [Fact]
    public void Allocate_TcachePageProtectedAfterUse_FaultsLikeTheProcess()
    {
        using var os = new SimulatedOs();
        var malloc = new GlibcAllocator(os);
        ulong p = malloc.Allocate(24);
        malloc.Free(p);                                  // tcache hit paths now use the struct's host address
        Assert.Equal(p, malloc.Allocate(24));
        malloc.Free(p);

        ulong structPage = (malloc.SbrkBase + 16) & ~(ulong)(os.PageSize - 1);
        Assert.True(os.Mprotect(structPage, (ulong)os.PageSize, Protection.Read).Succeeded);

        // counts[0] is readable, entries[0] too, but tcache_get writes them: a write fault, as in the real process.
        var e = Assert.Throws<HeapCorruptionException>(() => malloc.Allocate(24));
        Assert.Equal("SIGSEGV", e.Check);

        Assert.True(os.Mprotect(structPage, (ulong)os.PageSize, Protection.ReadWrite).Succeeded);
        Assert.Equal(p, malloc.Allocate(24));            // nothing was written before the fault
    }

    [Fact]
    public void FreeAndAllocate_ChunkPageProtected_FaultLikeTheProcess()
    {
        using var os = new SimulatedOs();
        var malloc = new GlibcAllocator(os);
        malloc.Allocate(8000);                           // the next chunks land two pages past the tcache struct
        ulong p = malloc.Allocate(24);
        ulong q = malloc.Allocate(24);
        ulong page = (p - 16) & ~(ulong)(os.PageSize - 1);
        Assert.Equal(page, (q + 24) & ~(ulong)(os.PageSize - 1));
        Assert.NotEqual(page, (malloc.SbrkBase + 0x290) & ~(ulong)(os.PageSize - 1));
        malloc.Free(q);                                  // the chunk words of that page now go straight to host memory
        Assert.Equal(q, malloc.Allocate(24));

        // free's tcache_put writes next and key: a write fault on a read-only page, nothing written.
        Assert.True(os.Mprotect(page, (ulong)os.PageSize, Protection.Read).Succeeded);
        Assert.Equal("SIGSEGV", Assert.Throws<HeapCorruptionException>(() => malloc.Free(p)).Check);
        Assert.True(os.Mprotect(page, (ulong)os.PageSize, Protection.ReadWrite).Succeeded);
        malloc.Free(p);

        // malloc's tcache_get pops the entry, then clears key: a write fault on a read-only page (the real glibc has
        // popped it too); without any access, the read of next faults first and nothing changes.
        Assert.True(os.Mprotect(page, (ulong)os.PageSize, Protection.None).Succeeded);
        Assert.Equal("SIGSEGV", Assert.Throws<HeapCorruptionException>(() => malloc.Allocate(24)).Check);
        Assert.True(os.Mprotect(page, (ulong)os.PageSize, Protection.ReadWrite).Succeeded);
        Assert.Equal(p, malloc.Allocate(24));
        Assert.True(os.Mprotect(page, (ulong)os.PageSize, Protection.Read).Succeeded);
        Assert.Equal("SIGSEGV", Assert.Throws<HeapCorruptionException>(() => malloc.Free(q)).Check);
        Assert.True(os.Mprotect(page, (ulong)os.PageSize, Protection.ReadWrite).Succeeded);
        malloc.Free(q);
        malloc.Free(p);
        Assert.True(malloc.CheckHeap(HeapCheckLevel.Full).Succeeded);
    }
}
