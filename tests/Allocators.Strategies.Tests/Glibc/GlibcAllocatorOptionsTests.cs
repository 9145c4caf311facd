// Copyright (c) Allocators contributors. MIT License.

using Allocators.Os;
using Allocators.Strategies.Glibc;
using Microsoft.Extensions.Options;

namespace Allocators.Strategies.Tests.Glibc;

public sealed class GlibcAllocatorOptionsTests
{
    [Fact]
    public void Validate_Defaults_Succeeds()
        => Assert.True(new GlibcAllocatorOptionsValidator().Validate(null, new GlibcAllocatorOptions()).Succeeded);

    [Fact]
    [Trait("Category", "BadInput")]
    public void Ctor_EveryLimitBroken_ListsEveryFailure()
    {
        var o = new GlibcAllocatorOptions
        {
            MaxFastBytes = 161,
            TcacheMaxBytes = 1033,
            TcacheCount = 65536,
            Perturb = 256,
            MmapMax = -1,
            ArenaMax = 0,
            ArenaTest = 0,
            ProcessorCount = 0,
            CheckLevel = (HeapCheckLevel)9,
        };
        using var os = new SimulatedOs();
        OptionsValidationException e = Assert.Throws<OptionsValidationException>(() => new GlibcAllocator(os, o));
        Assert.Equal(9, e.Failures.Count());
        foreach (string name in new[] { "MaxFastBytes", "TcacheMaxBytes", "TcacheCount", "Perturb", "MmapMax", "ArenaMax", "ArenaTest", "ProcessorCount", "CheckLevel" })
        {
            Assert.Contains(e.Failures, f => f.Contains(name, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void TcacheMaxZero_OnlyOneBin()
    {
        using var h = new GlibcHeap(new GlibcAllocatorOptions { TcacheMaxBytes = 0 });
        ulong a = h.Malloc(24);
        ulong b = h.Malloc(40);
        h.Malloc(16);
        h.Free(a);
        h.Free(b);
        MallInfo2 mi = h.Glibc.Mallinfo2();
        Assert.Equal(1UL, mi.Smblks);
    }

    [Fact]
    public void TcacheCountZero_StructureStillAllocated()
    {
        using var h = new GlibcHeap(new GlibcAllocatorOptions { TcacheCount = 0 });
        Assert.Equal(0x2a0UL, h.Off(h.Malloc(1)));
    }
}
