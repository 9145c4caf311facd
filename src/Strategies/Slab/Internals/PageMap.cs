// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Allocators.Strategies.Slab;

/// <summary>
/// Page number → slab, for the O(1) address-to-descriptor lookup of every free. An open-addressing table with linear
/// probing and Fibonacci hashing (no comparer, no modulo, no allocation on lookup); removal shifts entries back, so
/// there are no tombstones. Every page of a slab has an entry. Slabs come from independent mmaps placed anywhere in the
/// address space, which rules out a flat array; the table stays at most half full.
/// </summary>
internal sealed class PageMap
{
    private const int InitialCapacity = 256;

    private ulong[] _keys;      // page number + 1; 0 marks an empty slot
    private SlabDescriptor?[] _values;
    private int _shift;         // 64 - log2(capacity)

    public PageMap()
    {
        _keys = new ulong[InitialCapacity];
        _values = new SlabDescriptor?[InitialCapacity];
        _shift = 64 - BitOperations.Log2(InitialCapacity);
    }

    /// <summary>Gets the number of pages mapped.</summary>
    public int Count { get; private set; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public SlabDescriptor? Find(ulong page)
    {
        ulong key = page + 1;
        ulong[] keys = _keys;
        int mask = keys.Length - 1;
        int i = Home(key);
        while (true)
        {
            ulong k = keys[i];
            if (k == key)
            {
                return _values[i];
            }

            if (k == 0)
            {
                return null;
            }

            i = (i + 1) & mask;
        }
    }

    public void Add(ulong page, SlabDescriptor slab)
    {
        if ((Count + 1) * 2 > _keys.Length)
        {
            Grow();
        }

        Insert(page + 1, slab);
        Count++;
    }

    public bool Remove(ulong page)
    {
        ulong key = page + 1;
        int mask = _keys.Length - 1;
        int i = Home(key);
        while (_keys[i] != key)
        {
            if (_keys[i] == 0)
            {
                return false;
            }

            i = (i + 1) & mask;
        }

        // Backward-shift deletion: pull later members of the probe run into the hole unless that would move
        // them before their home slot.
        int j = i;
        while (true)
        {
            j = (j + 1) & mask;
            if (_keys[j] == 0)
            {
                break;
            }

            int home = Home(_keys[j]);
            bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
            if (!stays)
            {
                _keys[i] = _keys[j];
                _values[i] = _values[j];
                i = j;
            }
        }

        _keys[i] = 0;
        _values[i] = null;
        Count--;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Home(ulong key) => (int)((key * 0x9E3779B97F4A7C15UL) >> _shift);

    private void Insert(ulong key, SlabDescriptor slab)
    {
        int mask = _keys.Length - 1;
        int i = Home(key);
        while (_keys[i] != 0)
        {
            if (_keys[i] == key)
            {
                throw new InvalidOperationException($"PageMap: page 0x{key - 1:x} is already mapped to a slab.");
            }

            i = (i + 1) & mask;
        }

        _keys[i] = key;
        _values[i] = slab;
    }

    private void Grow()
    {
        ulong[] oldKeys = _keys;
        SlabDescriptor?[] oldValues = _values;
        _keys = new ulong[oldKeys.Length * 2];
        _values = new SlabDescriptor?[oldKeys.Length * 2];
        _shift--;
        for (int i = 0; i < oldKeys.Length; i++)
        {
            if (oldKeys[i] != 0)
            {
                Insert(oldKeys[i], oldValues[i]!);
            }
        }
    }
}
