// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Generic;
using System.IO;
using Allocators.Workloads;

namespace Allocators.Benchmarks.Infrastructure;

/// <summary>
/// Turns a recorded trace into an <see cref="OperationSequence"/>: each recorded result address becomes a slot,
/// so frees and reallocs reach the block the replayed call returned without a dictionary in the timed loop.
/// </summary>
/// <remarks>
/// Calls the sequence cannot reproduce are left out and counted: failed calls (result <c>(nil)</c> with a size), and
/// frees of pointers the trace never returned (a partial trace). A realloc of such an unknown pointer is kept as
/// a malloc of its size, since the program did get a new block. Thread ids are ignored: both sides run every
/// call on the benchmark thread.
/// </remarks>
public static class TraceSequenceDecoder
{
    /// <summary>Reads a trace file (text or binary, plain or compressed).</summary>
    public static OperationSequence FromFile(string path, string? name = null)
    {
        using TraceReader reader = TraceReader.Open(path);
        return FromCalls(reader.ReadCalls(), name ?? Path.GetFileNameWithoutExtension(path));
    }

    /// <summary>Decodes a stream of calls.</summary>
    public static OperationSequence FromCalls(IEnumerable<TraceCall> calls, string name)
    {
        var builder = new OperationSequenceBuilder();
        var slots = new Dictionary<ulong, int>();
        foreach (TraceCall call in calls)
        {
            if (call.Kind != TraceCallKind.Free && call.Result == 0 && !(call.Kind == TraceCallKind.Realloc && call.Size == 0))
            {
                // A failed call: replaying it would allocate on one side only.
                builder.Skip();
                continue;
            }

            switch (call.Kind)
            {
                case TraceCallKind.Malloc:
                    Allocated(call.Result, builder.Malloc(call.Size));
                    break;
                case TraceCallKind.Calloc:
                    Allocated(call.Result, builder.Calloc(call.Count, call.Size));
                    break;
                case TraceCallKind.Memalign:
                    Allocated(call.Result, builder.Memalign(call.Alignment, call.Size));
                    break;
                case TraceCallKind.Realloc:
                    Realloc(call);
                    break;
                case TraceCallKind.Free:
                    if (call.Pointer == 0)
                    {
                        builder.FreeNull();
                    }
                    else if (slots.Remove(call.Pointer, out int slot))
                    {
                        builder.Free(slot);
                    }
                    else
                    {
                        builder.Skip();
                    }

                    break;
                default:
                    builder.Skip();
                    break;
            }
        }

        return builder.Build(name);

        void Allocated(ulong result, int slot) => slots[result] = slot;

        void Realloc(in TraceCall call)
        {
            if (call.Pointer == 0)
            {
                if (call.Result == 0)
                {
                    builder.Skip();
                    return;
                }

                Allocated(call.Result, builder.ReallocNull(call.Size));
                return;
            }

            if (!slots.TryGetValue(call.Pointer, out int slot))
            {
                if (call.Size == 0)
                {
                    builder.Skip();
                }
                else
                {
                    slots[call.Result] = builder.Malloc(call.Size);
                }

                return;
            }

            if (call.Size == 0)
            {
                slots.Remove(call.Pointer);
                builder.Realloc(slot, 0);
                return;
            }

            slots.Remove(call.Pointer);
            slots[call.Result] = slot;
            builder.Realloc(slot, call.Size);
        }
    }
}
