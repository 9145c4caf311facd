// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;

namespace Allocators.Benchmarks.Infrastructure;

/// <summary>
/// Builds an <see cref="OperationSequence"/> call by call, handing out pointer slots (freed slots are reused,
/// last freed first, as a program reuses its variables) and appending the drain on <see cref="Build"/>.
/// </summary>
public sealed class OperationSequenceBuilder
{
    private readonly List<Operation> _operations = [];
    private readonly Stack<int> _freeSlots = new();
    private readonly List<bool> _live = [false];
    private long _skipped;

    /// <summary>Gets the number of operations appended so far.</summary>
    public int Count => _operations.Count;

    /// <summary>Gets the number of live slots.</summary>
    public int LiveCount { get; private set; }

    /// <summary>Appends malloc(size) into a fresh slot and returns the slot.</summary>
    public int Malloc(ulong size) => Append(OperationKind.Malloc, TakeSlot(), size, 0);

    /// <summary>Appends calloc(count, size) into a fresh slot and returns the slot.</summary>
    public int Calloc(ulong count, ulong size) => Append(OperationKind.Calloc, TakeSlot(), count, size);

    /// <summary>Appends memalign(alignment, size) into a fresh slot and returns the slot.</summary>
    public int Memalign(ulong alignment, ulong size) => Append(OperationKind.Memalign, TakeSlot(), alignment, size);

    /// <summary>Appends realloc(NULL, size) into a fresh slot and returns the slot.</summary>
    public int ReallocNull(ulong size) => Append(OperationKind.Realloc, TakeSlot(), size, 0);

    /// <summary>Appends realloc(slot, size); a size of 0 frees the slot.</summary>
    public void Realloc(int slot, ulong size)
    {
        RequireLive(slot);
        Append(OperationKind.Realloc, slot, size, 0);
        if (size == 0)
        {
            ReleaseSlot(slot);
        }
    }

    /// <summary>Appends free(slot).</summary>
    public void Free(int slot)
    {
        RequireLive(slot);
        Append(OperationKind.Free, slot, 0, 0);
        ReleaseSlot(slot);
    }

    /// <summary>Appends free(NULL).</summary>
    public void FreeNull() => Append(OperationKind.Free, 0, 0, 0);

    /// <summary>Counts a source call that the sequence leaves out.</summary>
    public void Skip() => _skipped++;

    /// <summary>Appends a free for every live slot (highest slot first) and returns the finished sequence.</summary>
    public OperationSequence Build(string name)
    {
        int drainStart = _operations.Count;
        for (int slot = _live.Count - 1; slot > 0; slot--)
        {
            if (_live[slot])
            {
                Free(slot);
            }
        }

        return new OperationSequence(name, [.. _operations], _live.Count, drainStart, _skipped);
    }

    private int Append(OperationKind kind, int slot, ulong argument1, ulong argument2)
    {
        _operations.Add(new Operation(kind, slot, argument1, argument2));
        return slot;
    }

    private int TakeSlot()
    {
        int slot;
        if (_freeSlots.Count > 0)
        {
            slot = _freeSlots.Pop();
        }
        else
        {
            slot = _live.Count;
            _live.Add(false);
        }

        _live[slot] = true;
        LiveCount++;
        return slot;
    }

    private void ReleaseSlot(int slot)
    {
        _live[slot] = false;
        LiveCount--;
        _freeSlots.Push(slot);
    }

    private void RequireLive(int slot)
    {
        if (slot <= 0 || slot >= _live.Count || !_live[slot])
        {
            throw new ArgumentOutOfRangeException(nameof(slot), slot, "the slot does not hold a live block");
        }
    }
}
