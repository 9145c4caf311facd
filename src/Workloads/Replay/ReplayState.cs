// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Allocators.Os;

namespace Allocators.Workloads;

/// <summary>
/// Executes recorded calls on a strategy: the simulated block of each live recorded one, the thread hand-off, the
/// live byte count. Shared by <see cref="Replayer"/> and <see cref="TraceVerifier"/>.
/// </summary>
/// <remarks>
/// The calls arrive resolved by <see cref="Resolver"/> (which recorded pointer is live and in which slot): either
/// one at a time through <see cref="Execute(in TraceCall, out ulong)"/>, or a batch at a time, resolved ahead on
/// another thread, through <see cref="Execute(in ReplayOp, ReadOnlySpan{TraceRecord}, out ulong)"/>. The slot table
/// holds one entry per live block and stays as small as the live set.
/// </remarks>
internal sealed class ReplayState
{
    private readonly List<ulong> _orphans = [];
    private readonly bool _skipUnknown;
    private readonly bool _touch;
    private readonly ulong _pageSize;
    private readonly SimulatedOs? _os;
    private LiveBlock[] _slots = new LiveBlock[1 << 10];

    public ReplayState(IAllocator allocator, bool skipUnknown, bool renumberThreads, bool touchAllocatedMemory = false)
    {
        Allocator = allocator;
        _skipUnknown = skipUnknown;
        Resolver = new CallResolver(renumberThreads);
        _touch = touchAllocatedMemory;
        _pageSize = (ulong)allocator.Os.PageSize;
        _os = allocator.Os as SimulatedOs;
    }

    public IAllocator Allocator { get; }

    /// <summary>Gets the resolver of the recorded calls (used by one thread at a time, in trace order).</summary>
    public CallResolver Resolver { get; }

    public ulong LiveBytes { get; private set; }

    public ulong PeakLiveBytes { get; private set; }

    public long Calls { get; private set; }

    public long Skipped { get; private set; }

    public long SimulatedFailures { get; private set; }

    public int Threads => Resolver.Threads;

    /// <summary>Gets the simulated pointer argument of the last call executed (realloc, free).</summary>
    public ulong LastPointer { get; private set; }

    /// <summary>
    /// Resolves and executes one call; returns false when it was skipped (its pointer is not live and skipping is on).
    /// <paramref name="result"/> is the simulated result.
    /// </summary>
    public bool Execute(in TraceCall call, out ulong result)
    {
        Resolver.Resolve(call, 0, out ReplayOp op);
        TraceRecord record = TraceRecord.ForCall(call);
        return Execute(op, new ReadOnlySpan<TraceRecord>(in record), out result);
    }

    /// <summary>
    /// Executes one resolved call; <paramref name="records"/> is its batch (read only for error messages). Returns false
    /// when it was skipped (its pointer is not live and skipping is on). <paramref name="result"/> is the simulated result.
    /// </summary>
    public bool Execute(in ReplayOp op, ReadOnlySpan<TraceRecord> records, out ulong result)
    {
        SimulatedThread.Set(op.Thread);
        return ExecuteCore(op, records, out result);
    }

    /// <summary><see cref="Execute(in ReplayOp, ReadOnlySpan{TraceRecord}, out ulong)"/> once the caller entered the call's thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool ExecuteCore(in ReplayOp op, ReadOnlySpan<TraceRecord> records, out ulong result)
    {
        LastPointer = 0;
        if (op.Flags == ReplayOpFlags.ThreadExit)
        {
            result = 0;
            ExitThread(op, records);
            return false;
        }

        try
        {
            switch (op.Kind)
            {
                case TraceCallKind.Malloc:
                    result = Allocator.Allocate(op.Argument1);
                    Added(op, result, op.Argument1);
                    break;
                case TraceCallKind.Calloc:
                    result = Allocator.AllocateZeroed(op.Argument1, op.Argument2);
                    Added(op, result, CallocBytes(op.Argument1, op.Argument2));
                    break;
                case TraceCallKind.Memalign:
                    result = Allocator.AllocateAligned(op.Argument1, op.Argument2);
                    Added(op, result, op.Argument2);
                    break;
                case TraceCallKind.Free:
                    result = 0;
                    return ExecuteFree(op, records);
                default:
                    return ExecuteRealloc(op, records, out result);
            }
        }
        catch (Exception e) when (e is not ReplayException)
        {
            TraceCall call = records[op.Record].Call;
            throw new ReplayException($"the {Allocator.Name} strategy failed: {e.Message}", call.Line, call.ToString(), e);
        }

        Calls++;
        return true;
    }

    /// <summary>Resolves and runs a <c># thread-exit</c> of recorded thread <paramref name="tid"/> (see <see cref="ExitThread(in ReplayOp, ReadOnlySpan{TraceRecord})"/>).</summary>
    public void ExitThread(int tid, long line)
    {
        Resolver.ResolveThreadExit(tid, 0, out ReplayOp op);
        TraceRecord record = TraceRecord.ForThreadExit(tid, line);
        SimulatedThread.Set(op.Thread);
        ExitThread(op, new ReadOnlySpan<TraceRecord>(in record));
    }

    /// <summary>
    /// A thread exit: the allocator runs its thread-exit work for the op's simulated thread when it keeps per-thread
    /// state (<see cref="IThreadAwareAllocator"/>); not a call, so not counted.
    /// </summary>
    /// <exception cref="ReplayException">The strategy failed during the thread-exit work.</exception>
    private void ExitThread(in ReplayOp op, ReadOnlySpan<TraceRecord> records)
    {
        if (Allocator is not IThreadAwareAllocator aware)
        {
            return;
        }

        try
        {
            aware.ThreadExit(op.Thread);
        }
        catch (Exception e) when (e is not ReplayException)
        {
            TraceRecord record = records[op.Record];
            throw new ReplayException($"the {Allocator.Name} strategy failed at thread exit: {e.Message}", record.Line, record.ToString(), e);
        }
    }

    /// <summary>
    /// Executes a batch of resolved calls with nothing to report per call (no output, no samples). The table entries of
    /// the calls a few places ahead are prefetched: the live set is picked at random, so they are rarely in cache, and
    /// the strategy's own work overlaps the wait.
    /// </summary>
    public void ExecuteAll(ReadOnlySpan<ReplayOp> ops, ReadOnlySpan<TraceRecord> records)
    {
        const int Distance = 8;
        const int BlockDistance = 4;
        if (ops.IsEmpty)
        {
            return;
        }

        int thread = ops[0].Thread;
        SimulatedThread.Set(thread);
        for (int i = 0; i < ops.Length; i++)
        {
            if (i + Distance < ops.Length)
            {
                Prefetch(ops[i + Distance]);
            }

            if (i + BlockDistance < ops.Length)
            {
                PrefetchBlock(ops[i + BlockDistance]);
            }

            ref readonly ReplayOp op = ref ops[i];
            if (op.Thread != thread)
            {
                // Nothing else runs on this thread during the batch, so the thread is entered only when it changes.
                thread = op.Thread;
                SimulatedThread.Set(thread);
            }

            ExecuteCore(op, records, out _);
        }
    }

    /// <summary>
    /// Asks for the host memory around a live block that a call a few places ahead frees or reallocates: the words
    /// before it and its first bytes (where allocators keep a chunk header and free-list links) and the word after its
    /// end (the next chunk's header). The blocks are freed in random order, so these are rarely in cache, and the
    /// strategy would otherwise wait for them. A hint only: the address is the one recorded when the block was allocated
    /// (0 = unknown), and a prefetch of memory the block no longer has never faults.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private unsafe void PrefetchBlock(in ReplayOp op)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        LiveBlock[] slots = _slots;
        if ((uint)op.Slot < (uint)slots.Length)
        {
            ref LiveBlock block = ref slots[op.Slot];
            nint host = block.Host;
            if (host != 0)
            {
                Sse.Prefetch0((void*)(host - 8));
                Sse.Prefetch0((void*)(host + 8));
                Sse.Prefetch0((void*)(host + (nint)(uint)block.Size + 8));
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private unsafe void Prefetch(in ReplayOp op)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        // A hint only: harmless even if the array moves meanwhile.
        LiveBlock[] slots = _slots;
        if ((uint)op.Slot < (uint)slots.Length)
        {
            Sse.Prefetch0(Unsafe.AsPointer(ref slots[op.Slot]));
        }

        if ((uint)op.Target < (uint)slots.Length)
        {
            Sse.Prefetch0(Unsafe.AsPointer(ref slots[op.Target]));
        }
    }

    /// <summary>count × size, saturating (as <see cref="TraceCall.RequestedBytes"/>).</summary>
    private static ulong CallocBytes(ulong count, ulong size)
    {
        ulong product = unchecked(count * size);
        return count != 0 && product / count != size ? ulong.MaxValue : product;
    }

    private bool ExecuteFree(in ReplayOp op, ReadOnlySpan<TraceRecord> records)
    {
        if (op.Slot < 0)
        {
            if ((op.Flags & ReplayOpFlags.Unknown) != 0)
            {
                return Unknown(records[op.Record].Call, "free of a pointer that is not live (never returned, or freed already)");
            }

            Allocator.Free(0);
            Calls++;
            return true;
        }

        ref LiveBlock block = ref _slots[op.Slot];
        ulong simulated = block.Simulated;
        LiveBytes -= block.Size;
        LastPointer = simulated;
        Allocator.Free(simulated);
        Calls++;
        return true;
    }

    private bool ExecuteRealloc(in ReplayOp op, ReadOnlySpan<TraceRecord> records, out ulong result)
    {
        ulong size = op.Argument2;
        if (op.Slot < 0)
        {
            if ((op.Flags & ReplayOpFlags.Unknown) != 0)
            {
                result = 0;
                return Unknown(records[op.Record].Call, "realloc of a pointer that is not live (never returned, or freed already)");
            }

            result = Allocator.Reallocate(0, size);
            Added(op, result, size);
            Calls++;
            return true;
        }

        ulong simulated = _slots[op.Slot].Simulated;
        ulong oldSize = _slots[op.Slot].Size;
        LastPointer = simulated;
        result = simulated == 0 ? Allocator.Allocate(size) : Allocator.Reallocate(simulated, size);
        if (op.Target >= 0)
        {
            // The program's block moved to (or stayed at) its recorded result.
            LiveBytes -= oldSize;
            if (result == 0 && size != 0)
            {
                // The simulation refused the realloc; the old block still holds the program's data.
                SimulatedFailures++;
                result = 0;
                Track(op, simulated, size);
            }
            else
            {
                Track(op, result, size);
            }
        }
        else if (size == 0)
        {
            // realloc(p, 0) freed the block in the program (and in the simulation: the contract frees and returns 0).
            LiveBytes -= oldSize;
        }
        else if (result != 0)
        {
            // The program's realloc failed and kept its block; the simulation's succeeded and moved it.
            _slots[op.Slot].Simulated = result;
            _slots[op.Slot].Host = 0;
        }

        Calls++;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Added(in ReplayOp op, ulong result, ulong size)
    {
        if (op.Target >= 0)
        {
            if (result == 0)
            {
                SimulatedFailures++;
            }

            Track(op, result, size);
        }
        else if (result != 0)
        {
            // The program's call failed but the simulation's succeeded: nothing in the trace will free it.
            _orphans.Add(result);
        }
    }

    private void Track(in ReplayOp op, ulong simulated, ulong size)
    {
        nint host = 0;
        if (_touch && simulated != 0 && size != 0)
        {
            Touch(simulated, size);
            host = HostAddress(simulated);
        }

        int slot = op.Target;
        if (slot >= _slots.Length)
        {
            Array.Resize(ref _slots, Math.Max(_slots.Length * 2, slot + 1));
        }

        ref LiveBlock block = ref _slots[slot];
        if ((op.Flags & ReplayOpFlags.Replaced) != 0)
        {
            // A pointer returned while live (an inconsistent trace): the old simulated block can never be freed by the trace.
            LiveBytes -= block.Size;
            if (block.Simulated != 0)
            {
                _orphans.Add(block.Simulated);
            }
        }

        block.Simulated = simulated;
        block.Size = size;
        block.Host = host;
        LiveBytes += size;
        if (LiveBytes > PeakLiveBytes)
        {
            PeakLiveBytes = LiveBytes;
        }
    }

    /// <summary>
    /// The host address of a block that <see cref="Touch"/> has just read, for <see cref="PrefetchBlock"/>; 0 when the
    /// process is not a <see cref="SimulatedOs"/> or the page cannot be written. Its page is resident, so asking for it
    /// faults nothing in and changes no statistic.
    /// </summary>
    private unsafe nint HostAddress(ulong simulated)
    {
        if (_os is not SimulatedOs os)
        {
            return 0;
        }

        try
        {
            return (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(os.DangerousGetSpan(simulated, 1)));
        }
        catch (SegmentationFaultException)
        {
            // A read-only block (a strategy's own choice): no hint for it.
            return 0;
        }
    }

    /// <summary>Reads one byte of every page of [address, address + size): the program using its block.</summary>
    private void Touch(ulong address, ulong size)
    {
        ulong end = address + size;
        ulong step = _pageSize - 1;
        if (_os is SimulatedOs os)
        {
            // The concrete class: its access fast path inlines (no interface call per page).
            for (ulong a = address; a < end; a = (a | step) + 1)
            {
                _ = os.ReadByte(a);
            }

            return;
        }

        ISimulatedOs any = Allocator.Os;
        for (ulong a = address; a < end; a = (a | step) + 1)
        {
            _ = any.ReadByte(a);
        }
    }

    private bool Unknown(in TraceCall call, string reason)
    {
        if (!_skipUnknown)
        {
            throw new ReplayException(reason, call.Line, call.ToString());
        }

        Skipped++;
        return false;
    }

    /// <summary>Frees every block still live (and every orphan); returns how many.</summary>
    public long Drain()
    {
        long freed = 0;
        SimulatedThread.Set(0);
        Resolver.ForEachLive(slot =>
        {
            ulong simulated = _slots[slot].Simulated;
            if (simulated != 0)
            {
                Allocator.Free(simulated);
                freed++;
            }
        });

        foreach (ulong orphan in _orphans)
        {
            Allocator.Free(orphan);
            freed++;
        }

        Resolver.Clear();
        _orphans.Clear();
        LiveBytes = 0;
        return freed;
    }

    /// <summary>The simulated block of a live recorded one and the bytes the program asked for.</summary>
    private struct LiveBlock
    {
        public ulong Simulated;
        public ulong Size;

        /// <summary>The host address of <see cref="Simulated"/> when it was allocated (a prefetch hint), 0 = unknown.</summary>
        public nint Host;
    }
}
