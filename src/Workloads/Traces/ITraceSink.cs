// Copyright (c) Allocators contributors. MIT License.

using System;

namespace Allocators.Workloads;

/// <summary>Something a trace is written to: <see cref="TraceWriter"/> (text) or <see cref="BinaryTraceWriter"/>.</summary>
public interface ITraceSink : IDisposable
{
    /// <summary>Writes <c># heap-start 0x…</c> (before the first call).</summary>
    void WriteHeapStart(ulong address);

    /// <summary>Writes <c># brk 0x…</c>: the call written last moved the program break to <paramref name="address"/>.</summary>
    void WriteBrk(ulong address);

    /// <summary>Writes one call with its facts (<see cref="TraceCall.HasHeader"/>, <see cref="TraceCall.HasUsable"/>).</summary>
    void WriteCall(in TraceCall call);

    /// <summary>Writes buffered data to the underlying stream.</summary>
    void Flush();

    /// <summary>Writes any record.</summary>
    void Write(in TraceRecord record)
    {
        switch (record.Kind)
        {
            case TraceRecordKind.HeapStart:
                WriteHeapStart(record.Address);
                break;
            case TraceRecordKind.Brk:
                WriteBrk(record.Address);
                break;
            default:
                WriteCall(record.Call);
                break;
        }
    }
}
