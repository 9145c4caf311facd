// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;

namespace Allocators.Hosting;

/// <summary>
/// Publishes the <see cref="AllocatorMetrics"/> instruments: observable instruments whose callbacks take one
/// <see cref="IAllocator.GetStatistics"/> snapshot per tracked allocator. Nothing runs until a listener collects, so
/// the allocation paths never see the metrics.
/// </summary>
internal sealed class AllocatorMetricsPublisher : IDisposable
{
    private static readonly string[] s_syscallNames = ["brk", "mmap", "munmap", "mremap", "mprotect", "madvise"];

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly object _gate = new();
    private Tracked[] _tracked = [];

    public AllocatorMetricsPublisher(IMeterFactory? meterFactory)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(AllocatorMetrics.MeterName) ?? new Meter(AllocatorMetrics.MeterName);

        _meter.CreateObservableUpDownCounter(AllocatorMetrics.LiveBytes, () => Observe(s => (long)s.AllocatedBytes), "By", "Bytes in live blocks, at block granularity.");
        _meter.CreateObservableUpDownCounter(AllocatorMetrics.LiveBlocks, () => Observe(s => s.LiveBlocks), "{block}", "Live blocks.");
        _meter.CreateObservableUpDownCounter(AllocatorMetrics.Rss, () => Observe(s => (long)s.Os.RssBytes), "By", "Resident set of the allocator's simulated process.");
        _meter.CreateObservableUpDownCounter(AllocatorMetrics.Vsz, () => Observe(s => (long)s.Os.VszBytes), "By", "Virtual size of the allocator's simulated process.");
        _meter.CreateObservableCounter(AllocatorMetrics.PageFaults, () => Observe(s => s.Os.PageFaults), "{fault}", "Page faults of the simulated process.");
        _meter.CreateObservableCounter(AllocatorMetrics.Syscalls, ObserveSyscalls, "{call}", "System calls of the simulated process, by kind.");
        _meter.CreateObservableCounter(AllocatorMetrics.Allocations, () => Observe(s => s.Allocations), "{call}", "Successful allocating calls.");
        _meter.CreateObservableCounter(AllocatorMetrics.Frees, () => Observe(s => s.Frees), "{call}", "Blocks released.");
        _meter.CreateObservableCounter(AllocatorMetrics.FailedAllocations, () => Observe(s => s.FailedAllocations), "{call}", "Allocating calls that returned 0.");
    }

    /// <summary>Gets the meter (for tests only).</summary>
    internal Meter Meter => _meter;

    public void Track(AllocatorInstance instance)
    {
        var tags = new KeyValuePair<string, object?>[]
        {
            new(AllocatorMetrics.NameTag, instance.Name),
            new(AllocatorMetrics.StrategyTag, instance.StrategyName),
        };
        var syscallTags = new KeyValuePair<string, object?>[s_syscallNames.Length][];
        for (int i = 0; i < s_syscallNames.Length; i++)
        {
            syscallTags[i] = [tags[0], tags[1], new(AllocatorMetrics.SyscallTag, s_syscallNames[i])];
        }

        lock (_gate)
        {
            _tracked = [.. _tracked, new Tracked(instance, tags, syscallTags)];
        }
    }

    public void Untrack(AllocatorInstance instance)
    {
        lock (_gate)
        {
            _tracked = Array.FindAll(_tracked, t => t.Instance != instance);
        }
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private List<Measurement<long>> Observe(Func<AllocatorStatistics, long> read)
    {
        Tracked[] tracked = _tracked;
        var measurements = new List<Measurement<long>>(tracked.Length);
        foreach (Tracked t in tracked)
        {
            measurements.Add(new Measurement<long>(read(t.Instance.Strategy.GetStatistics()), t.Tags));
        }

        return measurements;
    }

    private List<Measurement<long>> ObserveSyscalls()
    {
        Tracked[] tracked = _tracked;
        var measurements = new List<Measurement<long>>(tracked.Length * s_syscallNames.Length);
        foreach (Tracked t in tracked)
        {
            OsStatistics os = t.Instance.Os.GetStatistics();
            measurements.Add(new Measurement<long>(os.Brk, t.SyscallTags[0]));
            measurements.Add(new Measurement<long>(os.Mmap, t.SyscallTags[1]));
            measurements.Add(new Measurement<long>(os.Munmap, t.SyscallTags[2]));
            measurements.Add(new Measurement<long>(os.Mremap, t.SyscallTags[3]));
            measurements.Add(new Measurement<long>(os.Mprotect, t.SyscallTags[4]));
            measurements.Add(new Measurement<long>(os.Madvise, t.SyscallTags[5]));
        }

        return measurements;
    }

    private sealed record Tracked(AllocatorInstance Instance, KeyValuePair<string, object?>[] Tags, KeyValuePair<string, object?>[][] SyscallTags);
}
