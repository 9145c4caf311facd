// Copyright (c) Allocators contributors. MIT License.

using Allocators.Hosting.Tests.Infrastructure;
using Allocators.Os;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Allocators.Hosting.Tests;

public sealed class LoggingTests
{
    [Fact]
    public void OsRefusal_IsLoggedAsWarningWithTheStraceLine()
    {
        var logs = new CapturingLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(logs));
        services.AddKeyedMmapAllocator("debug");
        services.Configure<SimulatedOsOptions>("debug", o => o.FailMmapAboveBytes = 1 << 20);
        using ServiceProvider provider = services.BuildServiceProvider();
        var allocator = provider.GetRequiredKeyedService<IAllocator>("debug");

        Assert.Equal(0UL, allocator.Allocate(4 << 20));
        var entry = Assert.Single(logs.Entries, e => e.Event.Name == "OsRefusal");
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Equal("Allocators.Hosting", entry.Category);
        Assert.Contains("debug", entry.Message);
        Assert.Contains("mmap(", entry.Message);
        Assert.Contains("ENOMEM", entry.Message);
    }

    [Fact]
    public void DoubleFree_IsLoggedAsErrorAndStillThrown()
    {
        var logs = new CapturingLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(logs));
        services.AddSlabAllocator();
        using ServiceProvider provider = services.BuildServiceProvider();
        var allocator = provider.GetRequiredService<IAllocator>();
        ulong a = allocator.Allocate(32);
        allocator.Free(a);

        var ex = Assert.Throws<HeapCorruptionException>(() => allocator.Free(a));
        var entry = Assert.Single(logs.Entries, e => e.Event.Name == "HeapCorruption");
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Contains($"0x{a:x}", entry.Message);
        Assert.Contains(ex.Check, entry.Message);

        Assert.Throws<AllocatorArgumentException>(() => allocator.Free(a + 8));
        Assert.Single(logs.Entries, e => e.Event.Name == "InvalidPointer");
    }
}
