// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads;

/// <summary>The one place that maps a <see cref="TraceRecord"/> to the <see cref="ITraceSink"/> method that writes it.</summary>
internal static class TraceSinkDispatch
{
    public static void Write(ITraceSink sink, in TraceRecord record)
    {
        switch (record.Kind)
        {
            case TraceRecordKind.HeapStart:
                sink.WriteHeapStart(record.Address);
                break;
            case TraceRecordKind.Brk:
                sink.WriteBrk(record.Address);
                break;
            case TraceRecordKind.ThreadExit:
                sink.WriteThreadExit(record.ThreadId);
                break;
            default:
                sink.WriteCall(record.Call);
                break;
        }
    }
}
