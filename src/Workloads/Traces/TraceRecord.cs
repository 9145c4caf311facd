// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads;

/// <summary>One item of a trace: a call, or a <c># heap-start</c> / <c># brk</c> directive.</summary>
public readonly record struct TraceRecord
{
    /// <summary>Gets what this record holds.</summary>
    public TraceRecordKind Kind { get; init; }

    /// <summary>Gets the call when <see cref="Kind"/> is <see cref="TraceRecordKind.Call"/>.</summary>
    public TraceCall Call { get; init; }

    /// <summary>Gets the address of a <c># heap-start</c> or <c># brk</c> directive, or the thread id of a <c># thread-exit</c>.</summary>
    public ulong Address { get; init; }

    /// <summary>Gets the 1-based line (or binary record) number.</summary>
    public long Line { get; init; }

    /// <summary>Creates a call record.</summary>
    public static TraceRecord ForCall(in TraceCall call) => new() { Kind = TraceRecordKind.Call, Call = call, Line = call.Line };

    /// <summary>Creates a <c># heap-start</c> record.</summary>
    public static TraceRecord ForHeapStart(ulong address, long line = 0) => new() { Kind = TraceRecordKind.HeapStart, Address = address, Line = line };

    /// <summary>Creates a <c># brk</c> record.</summary>
    public static TraceRecord ForBrk(ulong address, long line = 0) => new() { Kind = TraceRecordKind.Brk, Address = address, Line = line };

    /// <summary>Gets the thread of a <c># thread-exit</c> directive.</summary>
    public int ThreadId => Kind == TraceRecordKind.ThreadExit ? (int)Address : Call.Tid;

    /// <summary>Creates a <c># thread-exit</c> record.</summary>
    public static TraceRecord ForThreadExit(int threadId, long line = 0) => new() { Kind = TraceRecordKind.ThreadExit, Address = (ulong)threadId, Line = line };

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        TraceRecordKind.HeapStart => "# heap-start " + TraceCall.FormatPointer(Address),
        TraceRecordKind.Brk => "# brk " + TraceCall.FormatPointer(Address),
        TraceRecordKind.ThreadExit => "# thread-exit " + Address.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => Call.ToString(),
    };
}
