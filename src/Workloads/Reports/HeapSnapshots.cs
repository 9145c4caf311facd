// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.Linq;
using Allocators.Strategies;

namespace Allocators.Workloads.Reports;

/// <summary>Replays a trace up to a call and takes the strategy's own heap walk there.</summary>
public static class HeapSnapshots
{
    /// <summary>Replays the first <paramref name="atCall"/> calls of <paramref name="tracePath"/> and walks the heap.</summary>
    /// <param name="tracePath">The trace.</param>
    /// <param name="strategy">The strategy name.</param>
    /// <param name="options"><c>KEY=VALUE</c> strategy options.</param>
    /// <param name="atCall">How many calls to replay first (0 = the fresh heap; beyond the end = the whole trace).</param>
    /// <param name="skipUnknown">Skip calls on unknown pointers instead of failing.</param>
    /// <returns>The snapshot.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="atCall"/> is negative.</exception>
    /// <exception cref="NotSupportedException">The strategy has no heap walker.</exception>
    public static HeapSnapshot Capture(string tracePath, string strategy, IEnumerable<KeyValuePair<string, string>>? options, long atCall, bool skipUnknown = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(atCall);
        using var reader = TraceReader.Open(tracePath);
        var records = new TraceRecord[4096];
        int count = reader.ReadBatch(records);
        using var os = Replayer.CreateOs(Replayer.FindHeapStart(records.AsSpan(0, count)), null);
        var allocator = AllocatorCatalog.Create(strategy, os, options);
        if (allocator is not IHeapWalker walker)
        {
            throw new NotSupportedException($"strategy '{strategy}' has no heap walker");
        }

        var state = new ReplayState(allocator, skipUnknown, renumberThreads: true);
        int previousThread = SimulatedThread.CurrentId;
        try
        {
            while (count > 0 && state.Calls < atCall)
            {
                for (int i = 0; i < count && state.Calls < atCall; i++)
                {
                    if (records[i].Kind == TraceRecordKind.Call)
                    {
                        state.Execute(records[i].Call, out _);
                    }
                    else if (records[i].Kind == TraceRecordKind.ThreadExit)
                    {
                        state.ExitThread(records[i].ThreadId, records[i].Line);
                    }
                }

                if (state.Calls < atCall)
                {
                    count = reader.ReadBatch(records);
                }
            }
        }
        finally
        {
            SimulatedThread.Set(previousThread);
        }

        var blocks = walker.WalkHeap().OrderBy(b => b.Address).ToArray();
        return new HeapSnapshot(allocator.Name, state.Calls, os.InitialBreak, os.CurrentBreak, blocks, Group(blocks));
    }

    /// <summary>Groups address-sorted blocks into contiguous regions.</summary>
    public static IReadOnlyList<HeapRegion> Group(IReadOnlyList<HeapBlock> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        var regions = new List<HeapRegion>();
        var current = new List<HeapBlock>();
        foreach (var block in blocks)
        {
            if (current.Count > 0 && current[^1].Address + current[^1].Size != block.Address)
            {
                regions.Add(new HeapRegion(current[0].Address, current[^1].Address + current[^1].Size, current.ToArray()));
                current.Clear();
            }

            current.Add(block);
        }

        if (current.Count > 0)
        {
            regions.Add(new HeapRegion(current[0].Address, current[^1].Address + current[^1].Size, current.ToArray()));
        }

        return regions;
    }
}
