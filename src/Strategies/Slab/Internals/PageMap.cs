// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Allocators.Strategies.Slab;

/// <summary>
/// Page number → slab, for the O(1) address-to-descriptor lookup of every free. Every page of a slab has an entry
/// (<see cref="PageEntry"/>, which also carries the descriptor fields a free needs: a lookup reads one slot).
/// </summary>
/// <remarks>
/// Slabs come from independent mmaps that the kernel places next to each other, top down, unless something else is
/// mapped between them. So pages inside a window of at most <see cref="MaxWindowPages"/> pages around the slabs live
/// in a flat array indexed by page - base (a subtraction and a compare; neighbouring slabs share cache lines), and
/// pages outside it in an open-addressing table with linear probing and Fibonacci hashing (no comparer, no modulo, no
/// allocation on lookup; removal shifts entries back, so there are no tombstones; at most half full).
/// </remarks>
internal sealed class PageMap
{
    /// <summary>The widest flat window, in pages (64 MiB of address space with 4 KiB pages; 640 KiB of slots).</summary>
    internal const int MaxWindowPages = 1 << 14;

    private const int InitialCapacity = 256;
    private const int InitialWindowPages = 256;

    private PageEntry[] _entries;
    private int _shift;         // 64 - log2(capacity)
    private PageEntry _missing; // returned by reference for an absent page: Cache and Slab null
    private PageEntry[] _window = [];
    private FastPageEntry[] _fast = [];   // parallel to _window: the free fast path's copy of each entry
    private ulong _windowBase;  // page number of _window[0]

    public PageMap()
    {
        _entries = new PageEntry[InitialCapacity];
        _shift = 64 - BitOperations.Log2(InitialCapacity);
    }

    /// <summary>Gets the flat window (replaced when it widens): entry <c>i</c> is page <see cref="WindowBase"/> + <c>i</c>.</summary>
    internal PageEntry[] Window => _window;

    /// <summary>Gets the compact copy of <see cref="Window"/> the free fast path reads (same indices, replaced with it).</summary>
    internal FastPageEntry[] FastWindow => _fast;

    /// <summary>Gets the page number of <see cref="Window"/>[0].</summary>
    internal ulong WindowBase => _windowBase;

    /// <summary>Gets the number of pages mapped.</summary>
    public int Count { get; private set; }

    /// <summary>Gets the number of pages held in the hash table rather than the window (for tests).</summary>
    internal int HashedCount { get; private set; }

    /// <summary>The slab holding <paramref name="page"/>, or null.</summary>
    public SlabDescriptor? Find(ulong page) => Lookup(page).Slab;

    /// <summary>
    /// The slot of <paramref name="page"/> (<see cref="PageEntry.Slab"/> null when the page holds no slab). Valid until
    /// the next <see cref="Add"/> or <see cref="Remove"/>: copy what is needed before changing the map.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref readonly PageEntry Lookup(ulong page)
    {
        PageEntry[] window = _window;
        ulong offset = page - _windowBase;
        if (offset < (ulong)window.Length)
        {
            return ref window[(int)offset];   // an unused slot has Slab and Cache null, like a miss
        }

        return ref LookupHashed(page);
    }

    private ref readonly PageEntry LookupHashed(ulong page)
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
        var entry = new PageEntry { Key = page + 1, Cache = slab.Cache, General = slab.Cache.IsGeneral ? slab.Cache : null, Slab = slab, FirstObject = slab.FirstObject, SlotBase = slab.SlotBase };
        if (Covers(page) || TryWiden(page))
        {
            ref PageEntry slot = ref _window[(int)(page - _windowBase)];
            if (slot.Key != 0 || LookupHashed(page).Key != 0)
            {
                throw new InvalidOperationException($"PageMap: page 0x{page:x} is already mapped to a slab.");
            }

            slot = entry;
            _fast[(int)(page - _windowBase)] = ToFast(entry);
            Count++;
            return;
        }

        if ((HashedCount + 1) * 2 > _entries.Length)
        {
            Grow();
        }

        Insert(entry);
        HashedCount++;
        Count++;
    }

    public bool Remove(ulong page)
    {
        if (Covers(page))
        {
            ref PageEntry slot = ref _window[(int)(page - _windowBase)];
            if (slot.Key != 0)
            {
                slot = default;
                _fast[(int)(page - _windowBase)] = default;
                Count--;
                return true;
            }
        }

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
        HashedCount--;
        Count--;
        return true;
    }

    private bool Covers(ulong page) => page - _windowBase < (ulong)_window.Length;

    /// <summary>Widens the window to cover <paramref name="page"/> if the result stays within <see cref="MaxWindowPages"/>; hashed pages it now covers move in.</summary>
    private bool TryWiden(ulong page)
    {
        ulong low;
        ulong high;   // exclusive
        if (_window.Length == 0)
        {
            ulong half = InitialWindowPages / 2;
            low = page > half ? page - half : 0;
            high = low + InitialWindowPages;
        }
        else
        {
            low = Math.Min(_windowBase, page);
            high = Math.Max(_windowBase + (ulong)_window.Length, page + 1);

            // Grow by doubling towards the new page, so a run of neighbouring slabs widens the window rarely.
            ulong doubled = (ulong)_window.Length * 2;
            if (high - low < doubled)
            {
                if (page < _windowBase)
                {
                    low = high > doubled ? high - doubled : 0;
                }
                else
                {
                    high = low + doubled;
                }
            }
        }

        if (high - low > MaxWindowPages)
        {
            return false;
        }

        var window = new PageEntry[(int)(high - low)];
        var fast = new FastPageEntry[window.Length];
        if (_window.Length != 0)
        {
            Array.Copy(_window, 0, window, (int)(_windowBase - low), _window.Length);
            Array.Copy(_fast, 0, fast, (int)(_windowBase - low), _fast.Length);
        }

        _window = window;
        _fast = fast;
        _windowBase = low;

        // Pages hashed earlier that the window now covers move into it, so every page lives in exactly one place.
        for (int i = 0; i < _entries.Length; i++)
        {
            while (_entries[i].Key != 0 && Covers(_entries[i].Key - 1))
            {
                PageEntry moved = _entries[i];
                Remove(moved.Key - 1);   // backward shift may pull another entry into slot i: look again
                Count++;
                _window[(int)(moved.Key - 1 - _windowBase)] = moved;
                _fast[(int)(moved.Key - 1 - _windowBase)] = ToFast(moved);
            }
        }

        return true;
    }

    private static FastPageEntry ToFast(in PageEntry entry)
        => new() { General = entry.General, FirstObject = entry.FirstObject, SlotBase = entry.SlotBase };

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
