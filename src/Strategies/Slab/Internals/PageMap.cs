// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Allocators.Strategies.Slab;

/// <summary>
/// Page number → slab, for the O(1) address-to-descriptor lookup of every free. An open-addressing table with linear
/// probing and Fibonacci hashing (no comparer, no modulo, no allocation on lookup); removal shifts entries back, so
/// there are no tombstones. Every page of a slab has an entry. Slabs come from independent mmaps placed anywhere in the
/// address space, which rules out a flat array; the table stays at most half full. Keys and values share one slot
/// (<see cref="PageEntry"/>), which also carries the descriptor fields a free needs: a lookup is one cache line.
/// </summary>
internal sealed class PageMap
{
    private const int InitialCapacity = 256;

    private PageEntry[] _entries;
    private int _shift;         // 64 - log2(capacity)
    private PageEntry _missing; // returned by reference for an absent page: Cache and Slab null

    public PageMap()
    {
        _entries = new PageEntry[InitialCapacity];
        _shift = 64 - BitOperations.Log2(InitialCapacity);
    }

    /// <summary>Gets the number of pages mapped.</summary>
    public int Count { get; private set; }

    /// <summary>The slab holding <paramref name="page"/>, or null.</summary>
    public SlabDescriptor? Find(ulong page) => Lookup(page).Slab;

    /// <summary>
    /// The slot of <paramref name="page"/> (<see cref="PageEntry.Slab"/> null when the page holds no slab). Valid until
    /// the next <see cref="Add"/> or <see cref="Remove"/>: copy what is needed before changing the map.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref readonly PageEntry Lookup(ulong page)
    {
        ulong key = page + 1;
        PageEntry[] entries = _entries;
        int mask = entries.Length - 1;
        int i = (int)((key * 0x9E3779B97F4A7C15UL) >> _shift);
        while (true)
        {
            ref PageEntry e = ref entries[i];
            if (e.Key == key)
            {
                return ref e;
            }

            if (e.Key == 0)
            {
                return ref _missing;
            }

            i = (i + 1) & mask;
        }
    }

    public void Add(ulong page, SlabDescriptor slab)
    {
        if ((Count + 1) * 2 > _entries.Length)
        {
            Grow();
        }

        Insert(new PageEntry { Key = page + 1, Cache = slab.Cache, Slab = slab, FirstObject = slab.FirstObject, SlotBase = slab.SlotBase });
        Count++;
    }

    public bool Remove(ulong page)
    {
        ulong key = page + 1;
        PageEntry[] entries = _entries;
        int mask = entries.Length - 1;
        int i = Home(key);
        while (entries[i].Key != key)
        {
            if (entries[i].Key == 0)
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
            if (entries[j].Key == 0)
            {
                break;
            }

            int home = Home(entries[j].Key);
            bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
            if (!stays)
            {
                entries[i] = entries[j];
                i = j;
            }
        }

        entries[i] = default;
        Count--;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Home(ulong key) => (int)((key * 0x9E3779B97F4A7C15UL) >> _shift);

    private void Insert(PageEntry entry)
    {
        int mask = _entries.Length - 1;
        int i = Home(entry.Key);
        while (_entries[i].Key != 0)
        {
            if (_entries[i].Key == entry.Key)
            {
                throw new InvalidOperationException($"PageMap: page 0x{entry.Key - 1:x} is already mapped to a slab.");
            }

            i = (i + 1) & mask;
        }

        _entries[i] = entry;
    }

    private void Grow()
    {
        PageEntry[] old = _entries;
        _entries = new PageEntry[old.Length * 2];
        _shift--;
        foreach (PageEntry entry in old)
        {
            if (entry.Key != 0)
            {
                Insert(entry);
            }
        }
    }
}
