// Copyright (c) Allocators contributors. MIT License.

using Allocators.Os;
using Allocators.Strategies.Glibc;

namespace Allocators.Strategies.Tests.Glibc;

/// <summary>A fault while following a corrupted link is reported as a SIGSEGV-class corruption naming the address.</summary>
public sealed class GlibcSegvReportTests
{
    [Fact]
    public void Malloc_CorruptedFastbinLinkIntoUnmappedMemory_NamesTheFaultingAddress()
    {
        using var os = new SimulatedOs();
        var malloc = new GlibcAllocator(os, new GlibcAllocatorOptions { TcacheCount = 0, MaxFastBytes = 0 });
        ulong p = malloc.Allocate(24);
        ulong q = malloc.Allocate(24);
        _ = malloc.Allocate(24);
        malloc.Free(q);
        malloc.Free(p);                                  // p and q coalesce into one unsorted chunk
        os.Fill(p, 16, 0x41);                            // write after free over its fd and bk

        var e = Assert.Throws<HeapCorruptionException>(() => malloc.Allocate(24));
        Assert.Equal("SIGSEGV", e.Check);
        Assert.NotEqual(0UL, e.Address);
        Assert.Contains($"0x{e.Address:x}", e.Message, StringComparison.Ordinal);
    }
}
