// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Allocators.Workloads;

/// <summary>
/// An open-addressing hash map from a non-zero recorded address to a 64-bit value (16-byte entries): linear probing,
/// Fibonacci hashing (addresses are multiples of 16, so the high bits of the product are used), deletion by
/// backward shift (no tombstones), grown at 1/2 load. Far cheaper than a Dictionary on the replay hot path.
/// </summary>
internal sealed class AddressMap
{
    private Entry[] _entries;
    private int _mask;
    private int _shift;
    private int _count;

    public AddressMap(int capacity = 1024)
    {
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, capacity * 2));
        _entries = new Entry[size];
        _mask = size - 1;
        _shift = 64 - BitOperations.Log2((uint)size);
    }

    /// <summary>Gets the number of entries.</summary>
    public int Count => _count;

    /// <summary>Looks up <paramref name="key"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetValue(ulong key, out ulong value)
    {
        Entry[] entries = _entries;
        int i = Slot(key);
        while (true)
        {
            ref Entry e = ref entries[i];
            if (e.Key == key)
            {
                value = e.Value;
                return true;
            }

            if (e.Key == 0)
            {
                value = 0;
                return false;
            }

            i = (i + 1) & _mask;
        }
    }

    /// <summary>Adds or replaces <paramref name="key"/>; returns true and the old value when it was present.</summary>
    public bool Set(ulong key, ulong value, out ulong oldValue)
    {
        ref Entry e = ref FindOrInsert(key, out bool present);
        oldValue = present ? e.Value : 0;
        e.Value = value;
        return present;
    }

    /// <summary>
    /// Adds <paramref name="key"/> unless present; returns true and its current value when it was present (unchanged).
    /// Grows exactly when <see cref="Set"/> would, so both leave the same table behind.
    /// </summary>
    public bool TryAdd(ulong key, ulong value, out ulong existingValue)
    {
        ref Entry e = ref FindOrInsert(key, out bool present);
        if (present)
        {
            existingValue = e.Value;
            return true;
        }

        e.Value = value;
        existingValue = 0;
        return false;
    }

    /// <summary>
    /// The entry of <paramref name="key"/>: the existing one (<paramref name="present"/> true), else a new one holding
    /// only the key, counted (the caller fills in its value). Grows first at 1/2 load.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref Entry FindOrInsert(ulong key, out bool present)
    {
        if (key == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(key), "The null address cannot be a key.");
        }

        if ((_count + 1) * 2 > _entries.Length)
        {
            Grow();
        }

        Entry[] entries = _entries;
        int i = Slot(key);
        while (true)
        {
            ref Entry e = ref entries[i];
            if (e.Key == key)
            {
                present = true;
                return ref e;
            }

            if (e.Key == 0)
            {
                e.Key = key;
                _count++;
                present = false;
                return ref e;
            }

            i = (i + 1) & _mask;
        }
    }

    /// <summary>Removes <paramref name="key"/>; returns false when absent.</summary>
    public bool Remove(ulong key, out ulong value)
    {
        Entry[] entries = _entries;
        int mask = _mask;
        int i = Slot(key);
        while (true)
        {
            ref Entry e = ref entries[i];
            if (e.Key == key && key != 0)
            {
                value = e.Value;
                break;
            }

            if (e.Key == 0)
            {
                value = 0;
                return false;
            }

            i = (i + 1) & mask;
        }

        // Backward-shift deletion: move later members of the probe run into the hole when their home allows it.
        int hole = i;
        int j = i;
        while (true)
        {
            j = (j + 1) & mask;
            ref Entry candidate = ref entries[j];
            if (candidate.Key == 0)
            {
                break;
            }

            int home = Slot(candidate.Key);
            bool movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
            if (movable)
            {
                entries[hole] = candidate;
                hole = j;
            }
        }

        entries[hole] = default;
        _count--;
        return true;
    }

    /// <summary>Calls <paramref name="action"/> for every entry (the map must not change meanwhile).</summary>
    public void ForEach(Action<ulong, ulong> action)
    {
        foreach (Entry e in _entries)
        {
            if (e.Key != 0)
            {
                action(e.Key, e.Value);
            }
        }
    }

    /// <summary>Copies every entry out (key, value).</summary>
    public (ulong Key, ulong Value)[] ToArray()
    {
        var result = new (ulong, ulong)[_count];
        int n = 0;
        foreach (Entry e in _entries)
        {
            if (e.Key != 0)
            {
                result[n++] = (e.Key, e.Value);
            }
        }

        return result;
    }

    /// <summary>Asks the processor to fetch the entry where a probe for <paramref name="key"/> starts (a hint only).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void Prefetch(ulong key)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(Unsafe.AsPointer(ref _entries[Slot(key)]));
        }
    }

    /// <summary>Removes every entry.</summary>
    public void Clear()
    {
        Array.Clear(_entries);
        _count = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Slot(ulong key) => (int)((key * 0x9E3779B97F4A7C15UL) >> _shift);

    private void Grow()
    {
        Entry[] old = _entries;
        int size = old.Length * 2;
        _entries = new Entry[size];
        _mask = size - 1;
        _shift = 64 - BitOperations.Log2((uint)size);
        _count = 0;
        foreach (Entry e in old)
        {
            if (e.Key != 0)
            {
                Set(e.Key, e.Value, out _);
            }
        }
    }

    private struct Entry
    {
        public ulong Key;
        public ulong Value;
    }
}
