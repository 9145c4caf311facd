// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace Allocators.Workloads;

/// <summary>
/// Maps recorded thread ids to 0, 1, 2… in order of first appearance (or passes them through). A thread that exited is
/// forgotten: if the kernel hands its tid to a later thread, that thread gets a new number.
/// </summary>
internal sealed class ThreadRenumbering
{
    private readonly bool _renumber;
    private readonly Dictionary<int, int> _ids = [];
    private int _lastTid = -1;
    private int _lastId;
    private int _next;

    public ThreadRenumbering(bool renumber) => _renumber = renumber;

    /// <summary>Gets the number of distinct threads seen.</summary>
    public int Count => _next;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Map(int tid)
    {
        if (tid == _lastTid)
        {
            return _lastId;
        }

        return MapSlow(tid);
    }

    private int MapSlow(int tid)
    {
        if (!_ids.TryGetValue(tid, out int id))
        {
            id = _renumber ? _next : tid;
            _next++;
            _ids.Add(tid, id);
        }

        _lastTid = tid;
        _lastId = id;
        return id;
    }

    /// <summary>Forgets thread <paramref name="tid"/> (it exited).</summary>
    public void Forget(int tid)
    {
        _ids.Remove(tid);
        _lastTid = -1;
    }
}
