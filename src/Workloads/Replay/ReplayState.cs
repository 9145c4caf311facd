// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;

namespace Allocators.Workloads;

/// <summary>
/// Executes recorded calls on a strategy: the recorded → simulated address map, the thread hand-off, the live
/// byte count. Shared by <see cref="Replayer"/> and <see cref="TraceVerifier"/>.
/// </summary>
internal sealed class ReplayState
{
    private readonly AddressMap _map = new(1 << 12);
    private readonly List<ulong> _orphans = [];
    private readonly bool _skipUnknown;
    private readonly ThreadRenumbering _threads;
    private readonly bool _touch;
    private readonly ulong _pageSize;

    public ReplayState(IAllocator allocator, bool skipUnknown, bool renumberThreads, bool touchAllocatedMemory = false)
    {
        Allocator = allocator;
        _skipUnknown = skipUnknown;
        _threads = new ThreadRenumbering(renumberThreads);
        _touch = touchAllocatedMemory;
        _pageSize = (ulong)allocator.Os.PageSize;
    }

    public IAllocator Allocator { get; }

    public ulong LiveBytes { get; private set; }

    public ulong PeakLiveBytes { get; private set; }

    public long Calls { get; private set; }

    public long Skipped { get; private set; }

    public long SimulatedFailures { get; private set; }

    public int Threads => _threads.Count;

    /// <summary>Gets the simulated pointer argument of the last call executed (realloc, free).</summary>
    public ulong LastPointer { get; private set; }

    /// <summary>
    /// Executes one call; returns false when it was skipped (its pointer is not live and skipping is on).
    /// <paramref name="result"/> is the simulated result.
    /// </summary>
    public bool Execute(in TraceCall call, out ulong result)
    {
        SimulatedThread.Set(_threads.Map(call.Tid));
        result = 0;
        LastPointer = 0;
        try
        {
            switch (call.Kind)
            {
                case TraceCallKind.Malloc:
                    result = Allocator.Allocate(call.Argument1);
                    Added(call, result, call.Argument1);
                    break;
                case TraceCallKind.Calloc:
                    result = Allocator.AllocateZeroed(call.Argument1, call.Argument2);
                    Added(call, result, call.RequestedBytes);
                    break;
                case TraceCallKind.Memalign:
                    result = Allocator.AllocateAligned(call.Argument1, call.Argument2);
                    Added(call, result, call.Argument2);
                    break;
                case TraceCallKind.Free:
                    return ExecuteFree(call);
                default:
                    return ExecuteRealloc(call, out result);
            }
        }
        catch (Exception e) when (e is not ReplayException)
        {
            throw new ReplayException($"the {Allocator.Name} strategy failed: {e.Message}", call.Line, call.ToString(), e);
        }

        Calls++;
        return true;
    }

    /// <summary>
    /// Ends recorded thread <paramref name="tid"/> (a <c># thread-exit</c> record at <paramref name="line"/>): the
    /// allocator runs its thread-exit work when it keeps per-thread state, and the tid is forgotten.
    /// </summary>
    /// <exception cref="ReplayException">The strategy failed during the thread-exit work.</exception>
    public void ExitThread(int tid, long line)
    {
        int id = _threads.Map(tid);
        _threads.Forget(tid);
        if (Allocator is not IThreadAwareAllocator aware)
        {
            return;
        }

        int caller = SimulatedThread.CurrentId;
        try
        {
            SimulatedThread.Set(id);
            aware.ThreadExit(id);
        }
        catch (Exception e) when (e is not ReplayException)
        {
            throw new ReplayException($"the {Allocator.Name} strategy failed at thread exit: {e.Message}", line, TraceRecord.ForThreadExit(tid, line).ToString(), e);
        }
        finally
        {
            SimulatedThread.Set(caller);
        }
    }

    private bool ExecuteFree(in TraceCall call)
    {
        ulong pointer = call.Argument1;
        if (pointer == 0)
        {
            Allocator.Free(0);
            Calls++;
            return true;
        }

        if (!_map.Remove(pointer, out ulong simulated, out ulong size))
        {
            return Unknown(call, "free of a pointer that is not live (never returned, or freed already)");
        }

        LiveBytes -= size;
        LastPointer = simulated;
        Allocator.Free(simulated);
        Calls++;
        return true;
    }

    private bool ExecuteRealloc(in TraceCall call, out ulong result)
    {
        ulong pointer = call.Argument1;
        ulong size = call.Argument2;
        if (pointer == 0)
        {
            result = Allocator.Reallocate(0, size);
            Added(call, result, size);
            Calls++;
            return true;
        }

        if (!_map.TryGetValue(pointer, out ulong simulated, out ulong oldSize))
        {
            result = 0;
            return Unknown(call, "realloc of a pointer that is not live (never returned, or freed already)");
        }

        LastPointer = simulated;
        result = simulated == 0 ? Allocator.Allocate(size) : Allocator.Reallocate(simulated, size);
        if (call.Result != 0)
        {
            // The program's block moved to (or stayed at) call.Result.
            _map.Remove(pointer, out _, out _);
            LiveBytes -= oldSize;
            if (result == 0 && size != 0)
            {
                // The simulation refused the realloc; the old block still holds the program's data.
                SimulatedFailures++;
                result = 0;
                Track(call.Result, simulated, size);
            }
            else
            {
                Track(call.Result, result, size);
            }
        }
        else if (size == 0)
        {
            // realloc(p, 0) freed the block in the program (and in the simulation: the contract frees and returns 0).
            _map.Remove(pointer, out _, out _);
            LiveBytes -= oldSize;
        }
        else if (result != 0)
        {
            // The program's realloc failed and kept its block; the simulation's succeeded and moved it.
            _map.Set(pointer, result, oldSize, out _, out _);
        }

        Calls++;
        return true;
    }

    private void Added(in TraceCall call, ulong result, ulong size)
    {
        if (call.Result != 0)
        {
            if (result == 0)
            {
                SimulatedFailures++;
            }

            Track(call.Result, result, size);
        }
        else if (result != 0)
        {
            // The program's call failed but the simulation's succeeded: nothing in the trace will free it.
            _orphans.Add(result);
        }
    }

    private void Track(ulong recorded, ulong simulated, ulong size)
    {
        if (_touch && simulated != 0 && size != 0)
        {
            Touch(simulated, size);
        }

        if (_map.Set(recorded, simulated, size, out ulong old, out ulong oldSize))
        {
            // A pointer returned while live (an inconsistent trace): the old simulated block can never be freed by the trace.
            LiveBytes -= oldSize;
            if (old != 0)
            {
                _orphans.Add(old);
            }
        }

        LiveBytes += size;
        if (LiveBytes > PeakLiveBytes)
        {
            PeakLiveBytes = LiveBytes;
        }
    }

    /// <summary>Reads one byte of every page of [address, address + size): the program using its block.</summary>
    private void Touch(ulong address, ulong size)
    {
        ISimulatedOs os = Allocator.Os;
        ulong end = address + size;
        for (ulong a = address; a < end; a = (a | (_pageSize - 1)) + 1)
        {
            _ = os.ReadByte(a);
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
        foreach ((ulong _, ulong simulated, ulong _) in _map.ToArray())
        {
            if (simulated != 0)
            {
                Allocator.Free(simulated);
                freed++;
            }
        }

        foreach (ulong orphan in _orphans)
        {
            Allocator.Free(orphan);
            freed++;
        }

        _map.Clear();
        _orphans.Clear();
        LiveBytes = 0;
        return freed;
    }
}
