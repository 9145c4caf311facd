// Copyright (c) Allocators contributors. MIT License.

using System;

namespace Allocators.Workloads;

/// <summary>A batch of parsed records and the resolved calls among them (reused from batch to batch).</summary>
internal sealed class ReplayBatch
{
    public ReplayBatch(int size)
    {
        Records = new TraceRecord[size];
        Ops = new ReplayOp[size];
    }

    /// <summary>Gets the parsed records (the first <see cref="RecordCount"/>).</summary>
    public TraceRecord[] Records { get; }

    /// <summary>Gets the resolved calls (the first <see cref="OpCount"/>), each naming its record.</summary>
    public ReplayOp[] Ops { get; }

    /// <summary>Gets the number of records read.</summary>
    public int RecordCount { get; private set; }

    /// <summary>Gets the number of calls resolved.</summary>
    public int OpCount { get; private set; }

    /// <summary>Gets a value indicating whether the records read have been resolved.</summary>
    public bool Resolved { get; private set; }

    /// <summary>Reads the next records; returns how many (0 at the end).</summary>
    /// <exception cref="TraceFormatException">A line or record is malformed (the records before it are returned first).</exception>
    public int Read(TraceReader reader)
    {
        OpCount = 0;
        Resolved = false;
        RecordCount = reader.ReadBatch(Records);
        return RecordCount;
    }

    /// <summary>Resolves the calls of the records read.</summary>
    public void Resolve(CallResolver resolver)
    {
        OpCount = resolver.Resolve(Records.AsSpan(0, RecordCount), Ops);
        Resolved = true;
    }
}
