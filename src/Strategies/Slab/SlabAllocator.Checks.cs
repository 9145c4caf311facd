// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Generic;

namespace Allocators.Strategies.Slab;

/// <summary>The invariant checker (ids S1 to S9, documented in SlabAllocator.cs).</summary>
public sealed partial class SlabAllocator
{
    /// <inheritdoc/>
    /// <remarks>
    /// <see cref="HeapCheckLevel.Cheap"/> checks the counters (S8 and the slab counts, O(caches));
    /// <see cref="HeapCheckLevel.Full"/> walks every slab, free list, magazine, page-map entry and large block.
    /// </remarks>
    public HeapCheckResult CheckHeap(HeapCheckLevel level)
    {
        _gate.Enter();
        try
        {
            return CheckLocked(level);
        }
        finally
        {
            _gate.Exit();
        }
    }

    private static void Add(List<HeapCheckFailure> failures, string id, ulong address, string message)
        => failures.Add(new HeapCheckFailure(id, address, message));

    private void VerifyAfter(string operation, ulong address)
    {
        HeapCheckResult result = CheckLocked(HeapCheckLevel.Full);
        if (!result.Succeeded)
        {
            HeapCheckFailure first = result.Failures[0];
            throw new HeapCorruptionException(StrategyName, operation, address, $"heap check failed: {first.Id}", result.ToString());
        }
    }

    private HeapCheckResult CheckLocked(HeapCheckLevel level)
    {
        if (level == HeapCheckLevel.None)
        {
            return HeapCheckResult.Success;
        }

        var failures = new List<HeapCheckFailure>();
        CheckCounters(failures);
        if (level == HeapCheckLevel.Full)
        {
            long slabPages = 0;
            foreach (SlabCache cache in AllCaches())
            {
                slabPages += CheckCache(cache, failures);
            }

            // S6: no stale page-map entries (each live slab page was checked to map to its slab).
            if (_pages.Count != slabPages)
            {
                Add(failures, "S6", 0, $"page map holds {_pages.Count} pages, live slabs have {slabPages}");
            }

            // S6: the free fast path's compact window agrees with the page map's window.
            PageEntry[] window = _pages.Window;
            FastPageEntry[] fast = _pages.FastWindow;
            for (int i = 0; i < window.Length; i++)
            {
                if (!ReferenceEquals(fast[i].General, window[i].General) || fast[i].FirstObject != window[i].FirstObject || fast[i].SlotBase != window[i].SlotBase)
                {
                    Add(failures, "S6", (_pages.WindowBase + (ulong)i) << _pageShift, "the fast-path copy of this page's entry differs from the page map");
                    break;
                }
            }

            CheckLargeBlocks(failures);
        }

        return HeapCheckResult.From(failures);
    }

    private IEnumerable<SlabCache> AllCaches()
    {
        foreach (SlabCache cache in _classes)
        {
            yield return cache;
        }

        foreach (SlabCache cache in _typed)
        {
            yield return cache;
        }
    }

    /// <summary>S8 and the per-cache slab counts: O(caches).</summary>
    private void CheckCounters(List<HeapCheckFailure> failures)
    {
        long active = 0;
        ulong bytes = 0;
        foreach (SlabCache cache in AllCaches())
        {
            active += cache.ActiveObjects;
            bytes += (ulong)cache.ActiveObjects * cache.UsableBytes;
            if (cache.ActiveObjects < 0)
            {
                Add(failures, "S8", 0, $"cache {cache.Name} counts {cache.ActiveObjects} objects in use");
            }

            long listed = cache.Full.Count + cache.Partial.Count + cache.Empty.Count;
            if (listed != cache.TotalSlabs)
            {
                Add(failures, "S3", 0, $"cache {cache.Name} has {listed} slabs on its lists but counts {cache.TotalSlabs}");
            }

            long onLists = SumSlabFree(cache.Full) + SumSlabFree(cache.Partial) + SumSlabFree(cache.Empty);
            if (onLists != cache.SlabLayerFree)
            {
                Add(failures, "S1", 0, $"cache {cache.Name}: its slabs' in-band lists hold {onLists} objects, cache counts {cache.SlabLayerFree}");
            }
        }

        if (bytes + _largeBytes != _allocatedBytes)
        {
            Add(failures, "S8", 0, $"allocated bytes {_allocatedBytes} != object bytes {bytes} + large bytes {_largeBytes}");
        }
    }

    /// <summary>The objects on the in-band lists of the slabs of <paramref name="list"/> (stops after its count: a cycle is reported by the list walk).</summary>
    private static long SumSlabFree(SlabList list)
    {
        long total = 0;
        int walked = 0;
        for (SlabDescriptor? slab = list.Head; slab is not null && walked < list.Count; slab = slab.Next, walked++)
        {
            total += slab.SlabFree;
        }

        return total;
    }

    /// <summary>S1 to S7 for one cache; returns the pages of its slabs.</summary>
    private long CheckCache(SlabCache cache, List<HeapCheckFailure> failures)
    {
        // S7 first: where each magazine round sits, so the free-list walk can tell the two kinds of free object apart.
        var magazineRounds = new Dictionary<ulong, SlabDescriptor>();
        var roundsPerSlab = new Dictionary<SlabDescriptor, int>();
        CheckMagazines(cache, failures, magazineRounds, roundsPerSlab);

        long pages = 0;
        long active = 0;
        long constructed = 0;
        ulong requested = 0;
        CheckList(cache, cache.Full, failures, magazineRounds, roundsPerSlab, ref pages, ref active, ref constructed, ref requested);
        CheckList(cache, cache.Partial, failures, magazineRounds, roundsPerSlab, ref pages, ref active, ref constructed, ref requested);
        CheckList(cache, cache.Empty, failures, magazineRounds, roundsPerSlab, ref pages, ref active, ref constructed, ref requested);

        if (active != cache.ActiveObjects)
        {
            Add(failures, "S1", 0, $"cache {cache.Name}: slabs hold {active} objects in use, cache counts {cache.ActiveObjects}");
        }

        ulong padding = ((ulong)active * cache.UsableBytes) - requested;
        if (cache.IsGeneral && padding != cache.PaddingBytes)
        {
            Add(failures, "S8", 0, $"cache {cache.Name}: live objects requested {requested} bytes ({padding} short of their size), cache counts {cache.PaddingBytes} short");
        }

        if (cache.Empty.Count > EmptySlabsPerCache)
        {
            Add(failures, "S3", 0, $"cache {cache.Name} keeps {cache.Empty.Count} empty slabs, policy allows {EmptySlabsPerCache}");
        }

        // S5: every constructor call belongs to exactly one slot of a live or destroyed slab.
        if (cache.Constructor is not null && constructed + cache.RetiredConstructedSlots != cache.ConstructorCalls)
        {
            Add(failures, "S5", 0, $"cache {cache.Name}: {cache.ConstructorCalls} constructor calls for {constructed} live and {cache.RetiredConstructedSlots} retired slots");
        }

        foreach (KeyValuePair<SlabDescriptor, int> pair in roundsPerSlab)
        {
            if (pair.Key.List == SlabListKind.None || pair.Key.Cache != cache)
            {
                Add(failures, "S7", pair.Key.Base, $"cache {cache.Name}: a magazine holds objects of slab 0x{pair.Key.Base:x}, which is not on its lists");
            }
        }

        return pages;
    }

    private void CheckMagazines(SlabCache cache, List<HeapCheckFailure> failures, Dictionary<ulong, SlabDescriptor> rounds, Dictionary<SlabDescriptor, int> perSlab)
    {
        if (cache.MagazineSize == 0)
        {
            return;
        }

        foreach (ThreadMagazines t in cache.Threads)
        {
            CheckMagazine(cache, t.Loaded, $"thread {t.ThreadId} loaded", failures, rounds, perSlab);
            CheckMagazine(cache, t.Previous, $"thread {t.ThreadId} previous", failures, rounds, perSlab);
            if (t.Previous.Count != 0 && !t.Previous.IsFull)
            {
                Add(failures, "S7", 0, $"cache {cache.Name}: thread {t.ThreadId}'s previous magazine holds {t.Previous.Count} of {cache.MagazineSize}, neither full nor empty");
            }
        }

        foreach (Magazine? m in cache.DepotFull)
        {
            CheckMagazine(cache, m!, "depot", failures, rounds, perSlab);
            if (!m!.IsFull)
            {
                Add(failures, "S7", 0, $"cache {cache.Name}: a depot magazine on the full list holds {m.Count} of {cache.MagazineSize}");
            }
        }

        foreach (Magazine? m in cache.DepotEmpty)
        {
            if (m!.Count != 0)
            {
                Add(failures, "S7", 0, $"cache {cache.Name}: a depot magazine on the empty list holds {m.Count} objects");
            }
        }

        if (cache.DepotFull.Length + cache.DepotEmpty.Length > cache.DepotLimit)
        {
            Add(failures, "S7", 0, $"cache {cache.Name}: the depot owns {cache.DepotFull.Length + cache.DepotEmpty.Length} magazines, limit {cache.DepotLimit}");
        }
    }

    private void CheckMagazine(SlabCache cache, Magazine m, string where, List<HeapCheckFailure> failures, Dictionary<ulong, SlabDescriptor> rounds, Dictionary<SlabDescriptor, int> perSlab)
    {
        if (m.Count < 0 || m.Count > m.Rounds.Length)
        {
            Add(failures, "S7", 0, $"cache {cache.Name}: {where} magazine count {m.Count} outside 0..{m.Rounds.Length}");
            return;
        }

        for (int i = 0; i < m.Count; i++)
        {
            MagazineRound round = m.Rounds[i];
            SlabDescriptor? slab = _pages.Find(round.Address >> _pageShift);
            if (slab is null || slab.Cache != cache)
            {
                Add(failures, "S7", round.Address, $"cache {cache.Name}: {where} magazine round {i} belongs to another cache");
                continue;
            }

            ulong offset = round.Address - slab.FirstObject;
            int index = offset < cache.ObjectSpan && offset % cache.Stride == 0 ? (int)(offset / cache.Stride) : -1;
            if (index < 0 || round.Slot != slab.SlotBase + index)
            {
                Add(failures, "S2", round.Address, $"cache {cache.Name}: {where} magazine round {i} (slot {round.Slot}) is not an object start of slab 0x{slab.Base:x} with its slot");
                continue;
            }

            if (!slab.IsFree(index))
            {
                Add(failures, "S7", round.Address, $"cache {cache.Name}: {where} magazine holds an object marked in use");
            }

            if (!rounds.TryAdd(round.Address, slab))
            {
                Add(failures, "S7", round.Address, $"cache {cache.Name}: object is in magazines twice");
                continue;
            }

            perSlab[slab] = perSlab.TryGetValue(slab, out int n) ? n + 1 : 1;
        }
    }

    private void CheckList(
        SlabCache cache,
        SlabList list,
        List<HeapCheckFailure> failures,
        Dictionary<ulong, SlabDescriptor> magazineRounds,
        Dictionary<SlabDescriptor, int> roundsPerSlab,
        ref long pages,
        ref long active,
        ref long constructed,
        ref ulong requested)
    {
        int walked = 0;
        SlabDescriptor? previous = null;
        for (SlabDescriptor? slab = list.Head; slab is not null; slab = slab.Next)
        {
            if (++walked > list.Count)
            {
                Add(failures, "S3", slab.Base, $"cache {cache.Name}: {list.Kind} list is longer than its count {list.Count} (cycle?)");
                break;
            }

            if (slab.Prev != previous)
            {
                Add(failures, "S3", slab.Base, $"cache {cache.Name}: {list.Kind} list back link broken");
            }

            previous = slab;
            if (slab.Cache != cache || slab.List != list.Kind)
            {
                Add(failures, "S3", slab.Base, $"cache {cache.Name}: slab on the {list.Kind} list says cache {slab.Cache.Name}, list {slab.List}");
            }

            SlabListKind state = slab.SlabFree == 0 ? SlabListKind.Full : slab.SlabFree == cache.ObjectsPerSlab ? SlabListKind.Empty : SlabListKind.Partial;
            if (state != list.Kind)
            {
                Add(failures, "S3", slab.Base, $"cache {cache.Name}: slab with {slab.SlabFree} of {cache.ObjectsPerSlab} objects free sits on the {list.Kind} list");
            }

            int held = roundsPerSlab.TryGetValue(slab, out int r) ? r : 0;
            CheckSlab(cache, slab, held, failures, magazineRounds, ref requested);
            pages += (long)(slab.Bytes >> _pageShift);
            active += slab.InUse;
            constructed += slab.ConstructedSlots;
        }

        if (walked < list.Count)
        {
            Add(failures, "S3", 0, $"cache {cache.Name}: {list.Kind} list has {walked} slabs, count says {list.Count}");
        }
    }

    private void CheckSlab(SlabCache cache, SlabDescriptor slab, int magazineRounds, List<HeapCheckFailure> failures, Dictionary<ulong, SlabDescriptor> rounds, ref ulong requested)
    {
        int capacity = cache.ObjectsPerSlab;

        // S2: geometry.
        if ((slab.Base & (_pageSize - 1)) != 0 || slab.Bytes != cache.SlabBytes || slab.Colour % cache.ColourStep != 0
            || slab.Colour + cache.ObjectSpan > slab.Bytes || slab.FirstObject != slab.Base + slab.Colour)
        {
            Add(failures, "S2", slab.Base, $"cache {cache.Name}: slab geometry broken (bytes={slab.Bytes}, colour={slab.Colour}, objects={capacity}x{cache.Stride})");
            return;
        }

        // S6: every page maps to this slab.
        for (ulong page = slab.Base >> _pageShift; page < (slab.Base + slab.Bytes) >> _pageShift; page++)
        {
            ref readonly PageEntry entry = ref _pages.Lookup(page);
            if (entry.Slab != slab || entry.Cache != cache || entry.FirstObject != slab.FirstObject || entry.SlotBase != slab.SlotBase)
            {
                Add(failures, "S6", page << _pageShift, $"cache {cache.Name}: page of slab 0x{slab.Base:x} is not mapped to it");
            }
        }

        // S5.
        int expectedConstructed = cache.Constructor is null ? 0 : capacity;
        if (slab.ConstructedSlots != expectedConstructed)
        {
            Add(failures, "S5", slab.Base, $"cache {cache.Name}: {slab.ConstructedSlots} constructor calls for {capacity} slots (expected {expectedConstructed})");
        }

        // S4: walk the in-band free list.
        var onList = new bool[capacity];
        int listed = 0;
        ulong address = slab.FreeHead;
        while (address != 0)
        {
            ulong offset = address - slab.FirstObject;
            int index = offset < cache.ObjectSpan && offset % cache.Stride == 0 ? (int)(offset / cache.Stride) : -1;
            if (index < 0)
            {
                Add(failures, "S4", address, $"cache {cache.Name}: free-list link of slab 0x{slab.Base:x} is not an object start of it");
                break;
            }

            if (onList[index])
            {
                Add(failures, "S4", address, $"cache {cache.Name}: free list of slab 0x{slab.Base:x} has a cycle at object {index}");
                break;
            }

            onList[index] = true;
            listed++;
            if (!slab.IsFree(index))
            {
                Add(failures, "S4", address, $"cache {cache.Name}: object {index} is on the free list but marked in use");
            }

            if (rounds.ContainsKey(address))
            {
                Add(failures, "S7", address, $"cache {cache.Name}: object {index} is both on the free list and in a magazine");
            }

            address = _os.ReadUInt64(address + cache.FreePointerOffset);
        }

        // S1: counts agree with the walk and the slot states.
        if (listed != slab.SlabFree)
        {
            Add(failures, "S1", slab.Base, $"cache {cache.Name}: free list has {listed} objects, slab counts {slab.SlabFree}");
        }

        if (slab.Id < 0 || slab.SlotBase != slab.Id * cache.SlotsPerSlab || (slab.Id + 1) * cache.SlotsPerSlab > cache.States.Length)
        {
            Add(failures, "S1", slab.Base, $"cache {cache.Name}: slab id {slab.Id} has no state run of its own");
            return;
        }

        int free = slab.FreeCount;
        if (free != slab.SlabFree + magazineRounds || free > capacity)
        {
            Add(failures, "S1", slab.Base, $"cache {cache.Name}: {free} free slots != {slab.SlabFree} on the list + {magazineRounds} in magazines (objects {capacity})");
        }

        for (int i = 0; i < capacity; i++)
        {
            byte state = cache.States[slab.SlotBase + i];
            if (state > SlabCache.SlotHeldShort || (state == SlabCache.SlotHeldShort && !cache.IsGeneral))
            {
                Add(failures, "S1", slab.FirstObject + ((ulong)i * cache.Stride), $"cache {cache.Name}: object {i} has slot state {state}");
            }
        }

        if (cache.IsGeneral)
        {
            for (int i = 0; i < capacity; i++)
            {
                if (!slab.IsFree(i))
                {
                    ulong size = cache.RequestedOf(slab, i);
                    if (size > cache.UsableBytes)
                    {
                        Add(failures, "S8", slab.FirstObject + ((ulong)i * cache.Stride), $"cache {cache.Name}: object {i} records a request of {size} bytes");
                    }

                    requested += size;
                }
            }
        }
    }

    private void CheckLargeBlocks(List<HeapCheckFailure> failures)
    {
        ulong total = 0;
        foreach (KeyValuePair<ulong, ulong> block in _large)
        {
            total += block.Value;
            if ((block.Key & (_pageSize - 1)) != 0 || block.Value == 0 || (block.Value & (_pageSize - 1)) != 0)
            {
                Add(failures, "S9", block.Key, $"page-level block is not page-aligned (length={block.Value})");
                continue;
            }

            if (!_os.IsAccessible(block.Key, block.Value, Protection.ReadWrite))
            {
                Add(failures, "S9", block.Key, $"page-level block of {block.Value} bytes is not mapped read-write");
            }

            for (ulong page = block.Key >> _pageShift; page < (block.Key + block.Value) >> _pageShift; page++)
            {
                if (_pages.Find(page) is { } slab)
                {
                    Add(failures, "S9", block.Key, $"page-level block overlaps slab 0x{slab.Base:x} of cache {slab.Cache.Name}");
                    break;
                }
            }
        }

        if (total != _largeBytes)
        {
            Add(failures, "S9", 0, $"page-level blocks total {total} bytes, allocator counts {_largeBytes}");
        }
    }
}
