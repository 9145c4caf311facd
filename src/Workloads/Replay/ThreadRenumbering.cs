// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace Allocators.Workloads;

/// <summary>Maps recorded thread ids to 0, 1, 2… in order of first appearance (or passes them through).</summary>
internal sealed class ThreadRenumbering
{
    private readonly bool _renumber;
    private readonly Dictionary<int, int> _ids = [];
    private int _lastTid = -1;
    private int _lastId;

    public ThreadRenumbering(bool renumber) => _renumber = renumber;

    public int Count => _ids.Count;

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
            id = _renumber ? _ids.Count : tid;
            _ids.Add(tid, id);
        }

        _lastTid = tid;
        _lastId = id;
        return id;
    }
}
