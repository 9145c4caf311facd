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

    /// <summary>Writes <c># thread-exit TID</c>: thread <paramref name="threadId"/> ended after the call written last.</summary>
    void WriteThreadExit(int threadId);

    /// <summary>Writes one call with its facts (<see cref="TraceCall.HasHeader"/>, <see cref="TraceCall.HasUsable"/>).</summary>
    void WriteCall(in TraceCall call);

    /// <summary>Writes buffered data to the underlying stream.</summary>
    void Flush();

    /// <summary>Writes any record.</summary>
    void Write(in TraceRecord record) => TraceSinkDispatch.Write(this, record);
}
