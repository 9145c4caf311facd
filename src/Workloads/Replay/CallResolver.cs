// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Runtime.CompilerServices;

namespace Allocators.Workloads;

/// <summary>
/// The half of a replay that depends only on the recorded trace: which recorded pointers are live, the slot of
/// <see cref="ReplayState"/>'s table that holds each live block, and the thread renumbering. It turns calls into
/// <see cref="ReplayOp"/>s, on the parse thread when the replay is pipelined, so the replaying thread executes
/// each call with one array access instead of hash lookups.
/// </summary>
/// <remarks>
/// The recorded → slot map sees the same additions and removals, in the same order, as a recorded → simulated map
/// would, so <see cref="ForEachLive"/> visits the live blocks in the order the replay has always drained them.
/// Slots of freed blocks are reused last-in first-out, which keeps the slot table as small as the live set.
/// </remarks>
internal sealed class CallResolver
{
    private readonly AddressMap _map = new(1 << 12);
    private readonly ThreadRenumbering _threads;
    private int[] _freeSlots = new int[64];
    private int _freeCount;
    private int _slotCount;

    public CallResolver(bool renumberThreads) => _threads = new ThreadRenumbering(renumberThreads);

    /// <summary>Gets the number of distinct threads seen.</summary>
    public int Threads => _threads.Count;

    /// <summary>Resolves the calls of <paramref name="records"/> into <paramref name="ops"/>; returns how many.</summary>
    public int Resolve(ReadOnlySpan<TraceRecord> records, Span<ReplayOp> ops)
    {
        // The recorded addresses are spread over the map at random: fetch the entries a few records ahead.
        const int Distance = 8;
        int n = 0;
        for (int i = 0; i < records.Length; i++)
        {
            if (i + Distance < records.Length)
            {
                Prefetch(records[i + Distance]);
            }

            ref readonly TraceRecord record = ref records[i];
            if (record.Kind == TraceRecordKind.Call)
            {
                Resolve(record.Call, i, out ops[n++]);
            }
            else if (record.Kind == TraceRecordKind.ThreadExit)
            {
                ResolveThreadExit(record.ThreadId, i, out ops[n++]);
            }
        }

        return n;
    }

    /// <summary>Resolves one call; <paramref name="record"/> is its index in its batch.</summary>
    public void Resolve(in TraceCall call, int record, out ReplayOp op)
    {
        op.Argument1 = call.Argument1;
        op.Argument2 = call.Argument2;
        op.Slot = -1;
        op.Target = -1;
        op.Thread = _threads.Map(call.Tid);
        op.Record = record;
        op.Kind = call.Kind;
        op.Flags = ReplayOpFlags.None;
        ulong pointer = call.Argument1;
        switch (call.Kind)
        {
            case TraceCallKind.Free:
                if (pointer != 0)
                {
                    if (_map.Remove(pointer, out ulong slot))
                    {
                        op.Slot = (int)slot;
                        Release((int)slot);
                    }
                    else
                    {
                        op.Flags = ReplayOpFlags.Unknown;
                    }
                }

                break;
            case TraceCallKind.Realloc:
                if (pointer == 0)
                {
                    Track(call.Result, ref op);
                }
                else if (_map.TryGetValue(pointer, out ulong slot))
                {
                    op.Slot = (int)slot;
                    if (call.Result != 0 || call.Argument2 == 0)
                    {
                        // The program's block moved to (or stayed at) the result, or realloc(p, 0) freed it.
                        _map.Remove(pointer, out _);
                        Release((int)slot);
                        Track(call.Result, ref op);
                    }
                }
                else
                {
                    op.Flags = ReplayOpFlags.Unknown;
                }

                break;
            default:
                Track(call.Result, ref op);
                break;
        }
    }

    /// <summary>
    /// Resolves a <c># thread-exit</c>: the op carries the exiting thread's simulated id, and the tid is forgotten, so
    /// a later thread the kernel gives the same tid gets a new id.
    /// </summary>
    public void ResolveThreadExit(int tid, int record, out ReplayOp op)
    {
        op = default;
        op.Slot = -1;
        op.Target = -1;
        op.Thread = _threads.Map(tid);
        op.Record = record;
        op.Flags = ReplayOpFlags.ThreadExit;
        _threads.Forget(tid);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Prefetch(in TraceRecord record)
    {
        if (record.Kind != TraceRecordKind.Call)
        {
            return;
        }

        ulong key = record.Call.Kind is TraceCallKind.Free or TraceCallKind.Realloc ? record.Call.Argument1 : record.Call.Result;
        if (key != 0)
        {
            _map.Prefetch(key);
        }
    }

    /// <summary>Calls <paramref name="action"/> with the slot of every live block, in map order.</summary>
    public void ForEachLive(Action<int> action)
    {
        foreach ((ulong _, ulong slot) in _map.ToArray())
        {
            action((int)slot);
        }
    }

    /// <summary>Forgets every live block.</summary>
    public void Clear()
    {
        _map.Clear();
        _freeCount = 0;
        _slotCount = 0;
    }

    /// <summary>Makes <paramref name="recorded"/> live (when not null) and names its slot in <paramref name="op"/>.</summary>
    private void Track(ulong recorded, ref ReplayOp op)
    {
        if (recorded == 0)
        {
            return;
        }

        int slot = _freeCount > 0 ? _freeSlots[--_freeCount] : _slotCount++;
        if (_map.TryAdd(recorded, (ulong)slot, out ulong existing))
        {
            // A pointer returned while live: its slot still holds the old block, which the trace can never free.
            Release(slot);
            slot = (int)existing;
            op.Flags |= ReplayOpFlags.Replaced;
        }

        op.Target = slot;
    }

    private void Release(int slot)
    {
        if (_freeCount == _freeSlots.Length)
        {
            Array.Resize(ref _freeSlots, _freeSlots.Length * 2);
        }

        _freeSlots[_freeCount++] = slot;
    }
}
