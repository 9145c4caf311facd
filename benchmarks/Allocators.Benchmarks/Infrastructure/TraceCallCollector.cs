// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Generic;
using Allocators.Workloads;

namespace Allocators.Benchmarks.Infrastructure;

/// <summary>A trace sink that keeps the calls in memory (for decoding a generated workload into a sequence).</summary>
public sealed class TraceCallCollector : ITraceSink
{
    /// <summary>Gets the calls received, in order.</summary>
    public List<TraceCall> Calls { get; } = [];

    /// <inheritdoc/>
    public void WriteHeapStart(ulong address)
    {
    }

    /// <inheritdoc/>
    public void WriteBrk(ulong address)
    {
    }

    /// <summary>Ignores a thread exit: benchmark sequences are calls only (the native side replays them on one thread).</summary>
    /// <param name="threadId">The thread that ended.</param>
    public void WriteThreadExit(int threadId)
    {
    }

    /// <inheritdoc/>
    public void WriteCall(in TraceCall call) => Calls.Add(call);

    /// <inheritdoc/>
    public void Flush()
    {
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }
}
