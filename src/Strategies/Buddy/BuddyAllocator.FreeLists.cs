// Copyright (c) Allocators contributors. MIT License.

using System.Numerics;
using System.Runtime.CompilerServices;
using Allocators.Os;
using Allocators.Strategies.Shared;

namespace Allocators.Strategies.Buddy;

/// <content>The per-order free lists in simulated memory, and obtaining and releasing regions.</content>
public sealed partial class BuddyAllocator
{
    /// <summary>Offset of the encoded <c>next</c> word in a free block.</summary>
    internal const ulong NextOffset = 0;

    /// <summary>Offset of the encoded <c>prev</c> word in a free block.</summary>
    internal const ulong PrevOffset = 8;

    private const ulong NodeMagic = 0xB0DD_1E5F_EEB1_0C4BUL;

    private const ulong PrevMagic = 0x5A17_3C0D_E1F2_9B47UL;

    /// <summary>Reads a free-list word; calls the sealed <see cref="SimulatedOs"/> directly when it is one (inlinable).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong Load(ulong address) => _fastOs is { } fast ? fast.ReadUInt64(address) : _os.ReadUInt64(address);

    /// <summary>Writes a free-list word; calls the sealed <see cref="SimulatedOs"/> directly when it is one (inlinable).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Store(ulong address, ulong value)
    {
        if (_fastOs is { } fast)
        {
            fast.WriteUInt64(address, value);
        }
        else
        {
            _os.WriteUInt64(address, value);
        }
    }

    /// <summary>
    /// The key the <c>next</c> word of a free block of <paramref name="order"/> at <paramref name="block"/> is XORed with. A link
    /// is stored encoded (like glibc's safe-linking), so an overwritten word decodes to an address that is not a free block of
    /// that order linking back, and null links are not zero in memory.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong NextKey(ulong block, int order) => NodeMagic ^ block ^ ((ulong)order * 0x9E37_79B9_7F4A_7C15UL);

    /// <summary>The key the <c>prev</c> word of a free block is XORed with (independent of <see cref="NextKey"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong PrevKey(ulong block, int order) => BitOperations.RotateLeft(NextKey(block, order), 29) ^ PrevMagic;

    private ulong LoadNext(ulong block, int order) => Load(block + NextOffset) ^ NextKey(block, order);

    private ulong LoadPrev(ulong block, int order) => Load(block + PrevOffset) ^ PrevKey(block, order);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong LoadNext<TMem>(TMem mem, ulong block, int order)
        where TMem : struct, IBuddyMemory
        => mem.Load(block + NextOffset) ^ NextKey(block, order);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong LoadPrev<TMem>(TMem mem, ulong block, int order)
        where TMem : struct, IBuddyMemory
        => mem.Load(block + PrevOffset) ^ PrevKey(block, order);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreNext<TMem>(TMem mem, ulong block, int order, ulong next)
        where TMem : struct, IBuddyMemory
        => mem.Store(block + NextOffset, next ^ NextKey(block, order));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePrev<TMem>(TMem mem, ulong block, int order, ulong prev)
        where TMem : struct, IBuddyMemory
        => mem.Store(block + PrevOffset, prev ^ PrevKey(block, order));

    /// <summary>The map byte of a free block of <paramref name="order"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte FreeState(int order) => (byte)(BuddyRegion.FreeBit | (order - _minOrder + 1));

    /// <summary>The map byte of an allocated block of <paramref name="order"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte AllocatedState(int order) => (byte)(BuddyRegion.AllocatedBit | (order - _minOrder + 1));

    private void PushFree(BuddyRegion region, ulong block, int order)
    {
        if (_fastOs is { } fast)
        {
            PushFree(new BuddyDirectMemory(fast), region, block, order);
        }
        else
        {
            PushFree(new BuddyProcessMemory(_os), region, block, order);
        }
    }

    private void LinkRaw(ulong block, int order)
    {
        if (_fastOs is { } fast)
        {
            LinkRaw(new BuddyDirectMemory(fast), block, order);
        }
        else
        {
            LinkRaw(new BuddyProcessMemory(_os), block, order);
        }
    }

    private bool TryUnlink(ulong block, int order)
        => _fastOs is { } fast ? TryUnlink(new BuddyDirectMemory(fast), block, order) : TryUnlink(new BuddyProcessMemory(_os), block, order);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void PushFree<TMem>(TMem mem, BuddyRegion region, ulong block, int order)
        where TMem : struct, IBuddyMemory
    {
        LinkRaw(mem, block, order);
        region.State[(block - region.Base) >> _minOrder] = FreeState(order);
        region.FreeBytes += 1UL << order;
    }

    /// <summary>
    /// Pushes a block on the front of its list (the old head is a free block by construction: heads are out of band). The
    /// <c>prev</c> word of a head means nothing (the out-of-band head says which node is first), so it is written only when
    /// the node stops being the head.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void LinkRaw<TMem>(TMem mem, ulong block, int order)
        where TMem : struct, IBuddyMemory
    {
        ulong head = _freeHeads[order];
        StoreNext(mem, block, order, head);
        if (head != 0)
        {
            StorePrev(mem, head, order, block);
        }

        _freeHeads[order] = block;
        _freeCounts[order]++;
        _nonEmptyOrders |= 1UL << order;
    }

    /// <summary>
    /// Takes the head off its list after checking its <c>next</c> link (a free block of the same order in the map, linking back),
    /// which becomes the new, trusted, head (its <c>prev</c> word now means nothing and is left as it is); false, with nothing
    /// changed, when the link is unsound. The map is not touched.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryPopHead<TMem>(TMem mem, ulong block, int order)
        where TMem : struct, IBuddyMemory
    {
        ulong next = LoadNext(mem, block, order);
        if (next != 0)
        {
            if (!IsFreeNode(next, order) || LoadPrev(mem, next, order) != block)
            {
                return false;
            }
        }
        else
        {
            _nonEmptyOrders &= ~(1UL << order);
        }

        _freeHeads[order] = next;
        _freeCounts[order]--;
        return true;
    }

    /// <summary>
    /// Takes a free block off its list after checking its node (each link decodes to a free block of the same order in the map
    /// that links back; a node that is not the head has a <c>prev</c>); false, with nothing changed, when the node is unsound.
    /// Every list word is read once. The map is not touched: the caller updates it once every step of its operation succeeded.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryUnlink<TMem>(TMem mem, ulong block, int order)
        where TMem : struct, IBuddyMemory
    {
        if (_freeHeads[order] == block)
        {
            return TryPopHead(mem, block, order);
        }

        ulong next = LoadNext(mem, block, order);
        ulong prev = LoadPrev(mem, block, order);
        if (prev == 0 || !IsFreeNode(prev, order) || LoadNext(mem, prev, order) != block)
        {
            return false;
        }

        if (next != 0 && (!IsFreeNode(next, order) || LoadPrev(mem, next, order) != block))
        {
            return false;
        }

        StoreNext(mem, prev, order, next);
        if (next != 0)
        {
            StorePrev(mem, next, order, prev);
        }

        _freeCounts[order]--;
        return true;
    }

    /// <summary>Whether the map says a free block of <paramref name="order"/> starts at <paramref name="address"/> (the fast form of <see cref="IsFreeHead"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsFreeNode(ulong address, int order)
    {
        BuddyRegion? region = FindRegion(address);
        if (region is null)
        {
            return false;
        }

        ulong offset = address - region.Base;
        return (offset & ((1UL << order) - 1)) == 0 && region.State[offset >> _minOrder] == FreeState(order);
    }

    /// <summary>Throws the corrupted-list error for a node <see cref="TryUnlink"/> refused, after rebuilding the lists from the map.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private HeapCorruptionException CorruptNode(string operation, ulong block, int order)
        => CorruptList(operation, block, order, ValidateNode(block, order) ?? $"the node of free block 0x{block:x} changed while it was being unlinked");

    /// <summary>Checks a free block's node against the map and its neighbours; returns the problem, or null when sound.</summary>
    private string? ValidateNode(ulong block, int order)
    {
        if (!IsFreeHead(block, order, out string? why))
        {
            return why;
        }

        const string Overwritten = "the node was overwritten (use after free or overflow)";
        ulong next = LoadNext(block, order);
        ulong prev = _freeHeads[order] == block ? 0 : LoadPrev(block, order);
        if (_freeHeads[order] == block)
        {
            // The head's prev word means nothing.
        }
        else if (prev == 0)
        {
            return $"free block 0x{block:x} is not the order-{order} list head (0x{_freeHeads[order]:x}) but its prev word decodes to null: {Overwritten}";
        }
        else if (!IsFreeHead(prev, order, out string? prevWhy))
        {
            return $"the prev word of free block 0x{block:x} (order {order}) decodes to 0x{prev:x}, which is bad ({prevWhy}): {Overwritten}";
        }
        else if (LoadNext(prev, order) != block)
        {
            return $"prev 0x{prev:x} of free block 0x{block:x} does not link back to it (prev->next = 0x{LoadNext(prev, order):x}): {Overwritten}";
        }

        if (next != 0)
        {
            if (!IsFreeHead(next, order, out string? nextWhy))
            {
                return $"the next word of free block 0x{block:x} (order {order}) decodes to 0x{next:x}, which is bad ({nextWhy}): {Overwritten}";
            }

            if (LoadPrev(next, order) != block)
            {
                return $"next 0x{next:x} of free block 0x{block:x} does not link back to it (next->prev = 0x{LoadPrev(next, order):x}): {Overwritten}";
            }
        }

        return null;
    }

    private static string DescribeState(byte state)
        => (state & BuddyRegion.CachedBit) != 0 ? "free (cached)" : (state & BuddyRegion.FreeBit) != 0 ? "free" : "allocated";

    private bool IsFreeHead(ulong address, int order, out string? why)
    {
        BuddyRegion? region = FindRegion(address);
        if (region is null)
        {
            why = $"0x{address:x} lies in no region";
            return false;
        }

        ulong offset = address - region.Base;
        if ((offset & ((1UL << order) - 1)) != 0)
        {
            why = $"0x{address:x} is not aligned to its order-{order} size";
            return false;
        }

        ulong state = region.State[offset >> _minOrder];
        if (state != FreeState(order))
        {
            why = state == 0
                ? $"the region map has no block at 0x{address:x}"
                : $"the region map says 0x{address:x} is {DescribeState((byte)state)} of order {DecodeOrder((byte)state)}, not free of order {order} on a list";
            return false;
        }

        why = null;
        return true;
    }

    /// <summary>Rebuilds every free list from the region maps (used after corruption is detected), then builds the exception.</summary>
    private HeapCorruptionException CorruptList(string operation, ulong block, int order, string problem)
    {
        RebuildFreeLists();
        return new HeapCorruptionException(StrategyName, operation, block, $"corrupted free list (order {order})", problem + "; the free lists were rebuilt from the region map");
    }

    private void RebuildFreeLists()
    {
        System.Array.Clear(_freeHeads);
        System.Array.Clear(_freeCounts);
        _nonEmptyOrders = 0;
        foreach (BuddyRegion region in _regions)
        {
            ulong offset = 0;
            while (offset < region.Length)
            {
                byte state = (byte)region.State[offset >> _minOrder];
                if (state == 0)
                {
                    // The out-of-band map itself is broken; nothing sensible can be linked past this point.
                    break;
                }

                int order = DecodeOrder(state);
                if ((state & (BuddyRegion.FreeBit | BuddyRegion.CachedBit)) == BuddyRegion.FreeBit)
                {
                    // Cached blocks stay in their (out-of-band) caches.
                    LinkRaw(region.Base + offset, order);
                }

                offset += 1UL << order;
            }
        }
    }

    private bool TryAddRegion()
    {
        ulong size = _regionSize;
        ulong baseAddress;
        bool refused = false;
        if (_source == BuddyRegionSource.Mmap && TryMapNextToLowestRegion(out ulong next, out refused))
        {
            baseAddress = next;
        }
        else if (refused)
        {
            return false;
        }
        else if (_source == BuddyRegionSource.Mmap)
        {
            OsResult mapped = _os.Mmap(0, 2 * size, Protection.ReadWrite, MapFlags.PrivateAnonymous);
            if (!mapped.Succeeded)
            {
                return false;
            }

            baseAddress = AlignmentMath.AlignUp(mapped.Value, size);
            if (baseAddress > mapped.Value)
            {
                MustSucceed(_os.Munmap(mapped.Value, baseAddress - mapped.Value), "malloc", baseAddress, "munmap of region alignment slack");
            }

            ulong tail = mapped.Value + (2 * size) - (baseAddress + size);
            if (tail > 0)
            {
                MustSucceed(_os.Munmap(baseAddress + size, tail), "malloc", baseAddress, "munmap of region alignment slack");
            }
        }
        else
        {
            ulong current = _os.Brk(0);
            if (!AlignmentMath.TryAlignUp(current, size, out baseAddress) || baseAddress > ulong.MaxValue - size)
            {
                return false;
            }

            ulong wanted = baseAddress + size;
            if (_os.Brk(wanted) != wanted)
            {
                return false;
            }
        }

        BuddyRegion region;
        if (_spareMaps.TryPop(out BuddyRegion? spare))
        {
            spare.Reuse(baseAddress);
            region = spare;
        }
        else
        {
            region = new BuddyRegion(baseAddress, _maxOrder, _minOrder, _source);
        }

        int index = 0;
        while (index < _regions.Count && _regions[index].Base < baseAddress)
        {
            index++;
        }

        _regions.Insert(index, region);
        RebuildRegionTable();
        NoteRegionAdded();
        PushFree(region, baseAddress, _maxOrder);
        return true;
    }

    /// <summary>
    /// Maps a region right below the lowest region (one mmap with that address as a hint, which is aligned to the region size):
    /// regions then sit next to each other (one VMA, one run of the direct window, one system call per region instead of an mmap
    /// of twice the size and the unmaps of its slack). False, with nothing mapped, when there is no region yet, the hint is too
    /// low, or the process put the mapping elsewhere (it is unmapped again); also false, with <paramref name="refused"/> set, when
    /// the process refused the mmap (out of memory: the region cannot be had).
    /// </summary>
    private bool TryMapNextToLowestRegion(out ulong baseAddress, out bool refused)
    {
        baseAddress = 0;
        refused = false;
        ulong size = _regionSize;
        if (_regions.Count == 0 || _regions[0].Base < 2 * size)
        {
            return false;
        }

        ulong hint = _regions[0].Base - size;
        OsResult mapped = _os.Mmap(hint, size, Protection.ReadWrite, MapFlags.PrivateAnonymous);
        if (!mapped.Succeeded)
        {
            refused = true;
            return false;
        }

        if ((mapped.Value & (size - 1)) != 0)
        {
            MustSucceed(_os.Munmap(mapped.Value, size), "malloc", mapped.Value, "munmap of a misplaced region");
            return false;
        }

        baseAddress = mapped.Value;
        return true;
    }

    /// <summary>Returns a completely free region to the OS; false when it cannot (a brk region below the top).</summary>
    private bool TryReleaseRegion(BuddyRegion region)
    {
        if (region.Source == BuddyRegionSource.Brk && _os.CurrentBreak != region.End)
        {
            return false;
        }

        if (!TryUnlink(region.Base, _maxOrder))
        {
            throw CorruptNode("release", region.Base, _maxOrder);
        }

        region.State[0] = 0;
        region.FreeBytes = 0;
        bool released;
        if (region.Source == BuddyRegionSource.Mmap)
        {
            MustSucceed(_os.Munmap(region.Base, region.Length), "release", region.Base, "munmap of an empty region");
            released = true;
        }
        else
        {
            released = _os.Brk(region.Base) == region.Base;
        }

        if (!released)
        {
            PushFree(region, region.Base, _maxOrder);
            return false;
        }

        _regions.Remove(region);
        RebuildRegionTable();
        RecycleMaps(region);
        return true;
    }

    /// <summary>
    /// Keeps the host-side maps of a released region for the next region, so churn across a region boundary (or a workload
    /// that frees everything and starts over) does not allocate managed memory. A completely free region's maps are all zero:
    /// its one free block's state was cleared by the unlink, and every allocated block cleared its entries when it was freed.
    /// </summary>
    private void RecycleMaps(BuddyRegion region)
    {
        ulong mapBytes = (ulong)region.State.Length * sizeof(ulong);
        region.Reuse(0);
        if ((ulong)(_spareMaps.Count + 1) * mapBytes > SpareMapBudgetBytes)
        {
            return;
        }

        _spareMaps.Push(region);
    }
}
