// Copyright (c) Allocators contributors. MIT License.

using Allocators.Strategies;

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
}
