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
}
