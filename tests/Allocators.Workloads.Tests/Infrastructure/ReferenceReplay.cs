// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads.Tests.Infrastructure;

/// <summary>
/// The replay semantics written the plain way, as a model for the replayer: a dictionary from each live recorded
/// pointer to its simulated block and requested size, a call on a pointer that is not live skipped, every block
/// the trace can no longer free kept as an orphan, everything freed at the end (in no particular order).
/// </summary>
internal sealed class ReferenceReplay
{
    private readonly Dictionary<ulong, (ulong Simulated, ulong Size)> _live = [];
    private readonly Dictionary<int, int> _threads = [];
    private readonly List<ulong> _orphans = [];
    private readonly IAllocator _allocator;

    private ReferenceReplay(IAllocator allocator) => _allocator = allocator;

    public long Calls { get; private set; }

    public long Skipped { get; private set; }

    public long Failures { get; private set; }

    public ulong LiveBytes { get; private set; }

    public ulong PeakLiveBytes { get; private set; }

    public List<ulong> Drained { get; } = [];

    public int Threads => _threads.Count;

    /// <summary>Replays <paramref name="calls"/> (skipping unknown pointers, then draining) through <paramref name="allocator"/>.</summary>
    public static ReferenceReplay Run(IAllocator allocator, IEnumerable<TraceCall> calls)
    {
        var model = new ReferenceReplay(allocator);
        foreach (TraceCall call in calls)
        {
            model.Execute(call);
        }

        model.Drain();
        return model;
    }

    private void Execute(TraceCall call)
    {
        if (!_threads.TryGetValue(call.Tid, out int thread))
        {
            thread = _threads.Count;
            _threads.Add(call.Tid, thread);
        }

        SimulatedThread.Set(thread);
        switch (call.Kind)
        {
            case TraceCallKind.Malloc:
                Added(call, _allocator.Allocate(call.Argument1), call.Argument1);
                break;
            case TraceCallKind.Calloc:
                Added(call, _allocator.AllocateZeroed(call.Argument1, call.Argument2), call.RequestedBytes);
                break;
            case TraceCallKind.Memalign:
                Added(call, _allocator.AllocateAligned(call.Argument1, call.Argument2), call.Argument2);
                break;
            case TraceCallKind.Free:
                if (call.Argument1 == 0)
                {
                    _allocator.Free(0);
                }
                else if (_live.Remove(call.Argument1, out (ulong Simulated, ulong Size) block))
                {
                    LiveBytes -= block.Size;
                    _allocator.Free(block.Simulated);
                }
                else
                {
                    Skipped++;
                    return;
                }

                break;
            default:
                if (!Realloc(call))
                {
                    Skipped++;
                    return;
                }

                break;
        }

        Calls++;
    }

    private bool Realloc(TraceCall call)
    {
        ulong size = call.Argument2;
        if (call.Argument1 == 0)
        {
            Added(call, _allocator.Reallocate(0, size), size);
            return true;
        }

        if (!_live.TryGetValue(call.Argument1, out (ulong Simulated, ulong Size) old))
        {
            return false;
        }

        ulong result = old.Simulated == 0 ? _allocator.Allocate(size) : _allocator.Reallocate(old.Simulated, size);
        if (call.Result != 0)
        {
            _live.Remove(call.Argument1);
            LiveBytes -= old.Size;
            if (result == 0 && size != 0)
            {
                Failures++;
                Track(call.Result, old.Simulated, size);
            }
            else
            {
                Track(call.Result, result, size);
            }
        }
        else if (size == 0)
        {
            _live.Remove(call.Argument1);
            LiveBytes -= old.Size;
        }
        else if (result != 0)
        {
            _live[call.Argument1] = (result, old.Size);
        }

        return true;
    }

    private void Added(TraceCall call, ulong result, ulong size)
    {
        if (call.Result != 0)
        {
            if (result == 0)
            {
                Failures++;
            }

            Track(call.Result, result, size);
        }
        else if (result != 0)
        {
            _orphans.Add(result);
        }
    }

    private void Track(ulong recorded, ulong simulated, ulong size)
    {
        if (_live.TryGetValue(recorded, out (ulong Simulated, ulong Size) old))
        {
            LiveBytes -= old.Size;
            if (old.Simulated != 0)
            {
                _orphans.Add(old.Simulated);
            }
        }

        _live[recorded] = (simulated, size);
        LiveBytes += size;
        PeakLiveBytes = Math.Max(PeakLiveBytes, LiveBytes);
    }

    private void Drain()
    {
        SimulatedThread.Set(0);
        foreach ((ulong simulated, ulong _) in _live.Values)
        {
            if (simulated != 0)
            {
                _allocator.Free(simulated);
                Drained.Add(simulated);
            }
        }

        foreach (ulong orphan in _orphans)
        {
            _allocator.Free(orphan);
            Drained.Add(orphan);
        }

        _live.Clear();
        LiveBytes = 0;
    }
}
