// Copyright (c) Allocators contributors. MIT License.

using Allocators.Os;
using Allocators.Strategies;
using Allocators.Strategies.Glibc;
using Microsoft.Extensions.Options;

namespace Allocators.Cli.Tests;

public sealed class CatalogTests
{
    [Fact]
    public void Names_AreTheFourStrategies()
    {
        Assert.Equal(["glibc", "buddy", "slab", "mmap"], AllocatorCatalog.Names);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void CreateOptions_UnknownName_ListsTheNames()
    {
        var ex = Assert.Throws<ArgumentException>(() => AllocatorCatalog.CreateOptions("tcmalloc"));
        Assert.Contains("'tcmalloc'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("glibc, buddy, slab, mmap", ex.Message, StringComparison.Ordinal);
        Assert.False(AllocatorCatalog.IsAvailable("tcmalloc"));
    }

    [Theory]
    [InlineData("glibc")]
    [InlineData("buddy")]
    [InlineData("slab")]
    [InlineData("mmap")]
    [InlineData("GLIBC")]
    public void Create_EveryName_GivesAWorkingAllocator(string name)
    {
        using var os = new SimulatedOs();
        Assert.True(AllocatorCatalog.IsAvailable(name));
        var allocator = AllocatorCatalog.Create(name, os);
        Assert.Equal(name.ToLowerInvariant(), allocator.Name);
        ulong p = allocator.Allocate(100);
        Assert.NotEqual(0UL, p);
        Assert.True(allocator.UsableSize(p) >= 100);
        allocator.Free(p);
    }

    [Fact]
    public void Create_Options_AreBoundOntoTheStrategy()
    {
        using var os = new SimulatedOs();
        AllocatorCatalog.Create("glibc", os).Allocate(300_000);
        Assert.Equal(1, os.GetStatistics().Mmap);

        using var raised = new SimulatedOs();
        AllocatorCatalog.Create("glibc", raised, [new("mmap-threshold-bytes", "1M")]).Allocate(300_000);
        Assert.Equal(0, raised.GetStatistics().Mmap);

        Assert.Equal(128UL * 1024, ((GlibcAllocatorOptions)OptionBinder.Bind(AllocatorCatalog.CreateOptions("glibc"), [new("MmapThresholdBytes", "128K")])).MmapThresholdBytes);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Create_InvalidOptions_ThrowsTheValidatorsFailures()
    {
        using var os = new SimulatedOs();
        var ex = Assert.Throws<OptionsValidationException>(() => AllocatorCatalog.Create("glibc", os, [new("Perturb", "300"), new("MaxFastBytes", "1M")]));
        Assert.Equal(2, ex.Failures.Count());
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Create_UnknownKey_ListsTheStrategysKeys()
    {
        using var os = new SimulatedOs();
        var ex = Assert.Throws<OptionBindingException>(() => AllocatorCatalog.Create("buddy", os, [new("order", "3")]));
        Assert.Contains("MinOrder", ex.Message, StringComparison.Ordinal);
        Assert.Contains("MaxOrder", ex.Message, StringComparison.Ordinal);
    }
}
