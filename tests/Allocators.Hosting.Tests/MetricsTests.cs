// Copyright (c) Allocators contributors. MIT License.

using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Allocators.Hosting.Tests;

public sealed class MetricsTests
{
    [Fact]
    public void Instruments_WithMeterFactory_ReportEachAllocatorsStatisticsWithTags()
    {
        var services = new ServiceCollection();
        services.AddMetrics();
        services.AddGlibcAllocator().AddKeyedSlabAllocator("objects");
        using ServiceProvider provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IMeterFactory>();

        var glibc = provider.GetRequiredService<IAllocator>();
        var slab = provider.GetRequiredKeyedService<IAllocator>("objects");
        ulong a = glibc.Allocate(200_000);   // above the mmap threshold: one mmap
        ulong b = glibc.Allocate(100);
        ulong c = slab.Allocate(64);
        glibc.Free(b);
        Assert.Equal(0UL, slab.Allocate(ulong.MaxValue / 2));

        var measurements = Collect(m => m.Name == AllocatorMetrics.MeterName && m.Scope == factory);
        var glibcStats = glibc.GetStatistics();
        var slabStats = slab.GetStatistics();

        Assert.Equal((long)glibcStats.AllocatedBytes, Value(measurements, AllocatorMetrics.LiveBytes, "default", "glibc"));
        Assert.Equal((long)slabStats.AllocatedBytes, Value(measurements, AllocatorMetrics.LiveBytes, "objects", "slab"));
        Assert.Equal(1, Value(measurements, AllocatorMetrics.LiveBlocks, "default", "glibc"));
        Assert.Equal(2, Value(measurements, AllocatorMetrics.Allocations, "default", "glibc"));
        Assert.Equal(1, Value(measurements, AllocatorMetrics.Frees, "default", "glibc"));
        Assert.Equal(1, Value(measurements, AllocatorMetrics.FailedAllocations, "objects", "slab"));
        Assert.Equal((long)glibcStats.Os.RssBytes, Value(measurements, AllocatorMetrics.Rss, "default", "glibc"));
        Assert.Equal((long)slabStats.Os.VszBytes, Value(measurements, AllocatorMetrics.Vsz, "objects", "slab"));
        Assert.True(Value(measurements, AllocatorMetrics.PageFaults, "default", "glibc") > 0);
        Assert.Equal(glibcStats.Os.Mmap, Value(measurements, AllocatorMetrics.Syscalls, "default", "glibc", "mmap"));
        Assert.Equal(glibcStats.Os.Brk, Value(measurements, AllocatorMetrics.Syscalls, "default", "glibc", "brk"));
        Assert.Equal(slabStats.Os.Mmap, Value(measurements, AllocatorMetrics.Syscalls, "objects", "slab", "mmap"));
        Assert.True(glibcStats.Os.Mmap >= 1);
        glibc.Free(a);
        slab.Free(c);
    }

    [Fact]
    public void Instruments_WithoutMeterFactory_UseAnOwnedMeterDisposedWithTheContainer()
    {
        var services = new ServiceCollection().AddMmapAllocator();
        ServiceProvider provider = services.BuildServiceProvider();
        var allocator = provider.GetRequiredService<IAllocator>();
        allocator.Allocate(10);
        var publisher = provider.GetRequiredService<AllocatorMetricsPublisher>();
        Meter meter = publisher.Meter;
        var measurements = Collect(m => m == meter);
        Assert.Equal(1, Value(measurements, AllocatorMetrics.LiveBlocks, "default", "mmap"));
        provider.Dispose();
        Assert.Empty(Collect(m => m == meter));
    }

    private static List<(string Instrument, long Value, Dictionary<string, object?> Tags)> Collect(Func<Meter, bool> select)
    {
        var measurements = new List<(string, long, Dictionary<string, object?>)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (select(instrument.Meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var dictionary = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                dictionary[tag.Key] = tag.Value;
            }

            measurements.Add((instrument.Name, value, dictionary));
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return measurements;
    }

    private static long Value(List<(string Instrument, long Value, Dictionary<string, object?> Tags)> measurements, string instrument, string name, string strategy, string? syscall = null)
        => Assert.Single(
            measurements,
            m => m.Instrument == instrument
                && Equals(m.Tags[AllocatorMetrics.NameTag], name)
                && Equals(m.Tags[AllocatorMetrics.StrategyTag], strategy)
                && (syscall is null || Equals(m.Tags[AllocatorMetrics.SyscallTag], syscall))).Value;
}
