// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Allocators.Os;

namespace Allocators.Strategies.Slab;

/// <summary>
/// One object cache of a <see cref="SlabAllocator"/> (Bonwick's kmem_cache): a general size class
/// (<c>kmalloc-64</c>) or a typed cache made by <see cref="SlabAllocator.CreateCache"/>. Objects are carved from
/// slabs of whole pages kept on full, partial and empty lists, with a magazine layer in front.
/// </summary>
/// <remarks>
/// Every member takes the owning allocator's lock; a handle is safe for concurrent use. The internal members run with
/// that lock held.
/// </remarks>
public sealed class SlabCache
{
    internal readonly SlabList Full = new(SlabListKind.Full);
    internal readonly SlabList Partial = new(SlabListKind.Partial);
    internal readonly SlabList Empty = new(SlabListKind.Empty);

    internal readonly ulong Stride;               // distance between objects (object size + free pointer when outside)
    internal readonly ulong UsableBytes;          // bytes the program may use in an object
    internal readonly ulong FreePointerOffset;    // where a free object keeps its next pointer
    internal readonly ulong SlabBytes;            // pages per slab × page size
    internal readonly ulong ObjectSpan;           // ObjectsPerSlab × Stride
    internal readonly ulong ColourStep;           // colouring step (cache line or alignment)
    internal readonly int ColourCount;            // distinct colours: tail / step + 1
    internal readonly bool IsGeneral;             // a kmalloc size class (true) or a typed cache
    internal readonly SlabObjectCallback? Constructor;
    internal readonly SlabObjectCallback? Destructor;

    internal long TotalSlabs;                     // slabs on the three lists
    internal long SlabLayerFree;                  // objects on the slabs' in-band lists: the sum of SlabFree
    internal ulong PaddingBytes;                  // sum of UsableBytes - requested over live objects asked for short
    internal long ConstructorCalls;               // total since creation
    internal long DestructorCalls;                // total since creation
    internal long RetiredConstructedSlots;        // constructed slots of slabs since destroyed (S5 bookkeeping)
    internal int NextColour;                      // colour of the next slab
    internal bool Destroyed;

    // One state byte per object slot (slot = slab id x SlotsPerSlab + index), in runs of SlotsPerSlab per slab id:
    // SlotFree while the program does not hold the object (in-band list or magazine), SlotHeld while it holds it at
    // the full object size, SlotHeldShort while it holds it asked for less (the size is in RequestedSizes[slot]). A
    // byte per object, not a bit: allocation is one plain store and a free one load and one store, no read-modify-write
    // chain between a free and the allocation that takes the same object back. Magazine rounds carry the slot, so pops
    // and pushes touch no descriptor.
    internal byte[] States;
    internal uint[] RequestedSizes;
    internal readonly int SlotsPerSlab;           // ObjectsPerSlab

    /// <summary>Slot state: the program holds the object, asked for at the full object size.</summary>
    internal const byte SlotHeld = 0;

    /// <summary>Slot state: the object is not held by the program (on its slab's in-band list or in a magazine).</summary>
    internal const byte SlotFree = 1;

    /// <summary>Slot state: the program holds the object, asked for short of the object size (see <see cref="RequestedSizes"/>).</summary>
    internal const byte SlotHeldShort = 2;

    private const int NoThread = int.MinValue;   // _loadedTid while no thread's magazines are cached

    private readonly SlabAllocator _owner;
    private readonly ISimulatedOs _os;
    private readonly DirectAccessWindow _mem;      // the owner's window: in-band links of resident slab pages go straight to host memory
    private readonly ulong _divMagic;             // ceil(2^64 / Stride): offset / Stride as one multiply
    private readonly int _strideShift;            // log2(Stride) when Stride is a power of two (a shift), else -1
    private readonly int _magazineSize;           // 0: no magazine layer
    private readonly int _depotLimit;             // magazines the depot may own
    private readonly int _emptySlabsKept;
    private readonly ulong _requestedObjectBytes; // typed caches: the size asked for at creation

    private readonly Dictionary<int, ThreadMagazines> _threads = [];
    private ThreadMagazines? _lastThread;         // the replayer switches threads rarely: one compare avoids the dictionary
    private Magazine _loaded = Magazine.None;     // _lastThread.Loaded, kept in step, so the fast path is one hop; Magazine.None while no thread is cached
    private int _loadedTid = NoThread;            // _lastThread.ThreadId
    private Magazine?[] _depotFull = [];          // grown on demand up to _depotLimit
    private Magazine?[] _depotEmpty = [];
    private int _depotFullCount;
    private int _depotEmptyCount;

    // Descriptors of destroyed slabs, chained through Next, reused by CreateSlab with their slab ids: churn that maps
    // and unmaps slabs then allocates no managed memory, and slab ids (state runs) never exceed the peak slab count.
    private SlabDescriptor? _spareDescriptors;
    private int _slabIds;                         // ids handed out so far

    internal SlabCache(
        SlabAllocator owner,
        string name,
        ulong requestedObjectBytes,
        ulong alignment,
        int pagesPerSlab,
        bool isGeneral,
        SlabObjectCallback? constructor,
        SlabObjectCallback? destructor)
    {
        _owner = owner;
        _os = owner.Os;
        _mem = owner.Memory;
        Name = name;
        IsGeneral = isGeneral;
        Constructor = constructor;
        Destructor = destructor;
        _requestedObjectBytes = requestedObjectBytes;
        AlignmentBytes = (int)alignment;

        // A constructed object keeps its state while free (that is the point of a constructor), so the free pointer
        // cannot overwrite it: as SLUB does for caches with a ctor, it moves behind the object.
        UsableBytes = AlignUp(Math.Max(requestedObjectBytes, 8), alignment);
        if (constructor is null)
        {
            FreePointerOffset = 0;
            Stride = UsableBytes;
        }
        else
        {
            FreePointerOffset = AlignUp(requestedObjectBytes, 8);
            Stride = AlignUp(FreePointerOffset + 8, alignment);
        }

        PagesPerSlab = pagesPerSlab;
        SlabBytes = (ulong)pagesPerSlab * (ulong)owner.Os.PageSize;
        ObjectsPerSlab = (int)(SlabBytes / Stride);
        ObjectSpan = (ulong)ObjectsPerSlab * Stride;
        _divMagic = (ulong.MaxValue / Stride) + 1;
        _strideShift = BitOperations.IsPow2(Stride) ? BitOperations.Log2(Stride) : -1;
        SlotsPerSlab = ObjectsPerSlab;
        States = new byte[SlotsPerSlab * 4];
        RequestedSizes = new uint[SlotsPerSlab * 4];

        ColourStep = Math.Max((ulong)owner.CacheLineBytes, alignment);
        ColourCount = owner.Colouring ? (int)((SlabBytes - ObjectSpan) / ColourStep) + 1 : 1;

        _magazineSize = owner.MagazineSize;
        _depotLimit = DepotLimitFor(_magazineSize, UsableBytes, owner.DepotMagazines, owner.DepotBytesPerCache);
        _emptySlabsKept = owner.EmptySlabsPerCache;
    }

    /// <summary>Gets the cache name (<c>kmalloc-64</c> for a size class, the given name for a typed cache).</summary>
    public string Name { get; }

    /// <summary>Gets the bytes the program may use in each object (the object size rounded up to the alignment).</summary>
    public int ObjectSizeBytes => (int)UsableBytes;

    /// <summary>Gets the alignment of every object.</summary>
    public int AlignmentBytes { get; }

    /// <summary>Gets the number of objects in one slab.</summary>
    public int ObjectsPerSlab { get; }

    /// <summary>Gets the number of pages in one slab.</summary>
    public int PagesPerSlab { get; }

    /// <summary>Gets a value indicating whether this is a typed cache made by <see cref="SlabAllocator.CreateCache"/>.</summary>
    public bool IsTyped => !IsGeneral;

    /// <summary>kmem_cache_alloc: allocates one constructed object. Returns 0 when the OS refuses a new slab.</summary>
    /// <returns>The simulated address of the object, or 0.</returns>
    public ulong Allocate() => _owner.AllocateFromCache(this);

    /// <summary>kmem_cache_free: returns an object to this cache. Freeing 0 does nothing.</summary>
    /// <param name="address">An object this cache returned.</param>
    /// <exception cref="AllocatorArgumentException">The address is not an object start or belongs to another cache.</exception>
    /// <exception cref="HeapCorruptionException">The object is already free.</exception>
    public void Free(ulong address) => _owner.FreeToCache(this, address);

    /// <inheritdoc/>
    public override string ToString() => $"{Name} (object={ObjectSizeBytes} B, {ObjectsPerSlab} per {PagesPerSlab}-page slab)";

    /// <summary>Computes the rounding waste of the live objects: usable bytes handed out minus bytes asked for.</summary>
    internal ulong RoundingWaste => IsGeneral
        ? PaddingBytes
        : (ulong)ActiveObjects * (UsableBytes - _requestedObjectBytes);

    /// <summary>Gets the free objects parked in magazines (per-thread and depot; the depot's full magazines are full, S7).</summary>
    internal long MagazineObjects
    {
        get
        {
            long total = (long)_depotFullCount * _magazineSize;
            foreach (ThreadMagazines t in _threads.Values)
            {
                total += t.Loaded.Count + t.Previous.Count;
            }

            return total;
        }
    }

    /// <summary>
    /// Gets the objects the program holds: those not on an in-band list, less those parked in magazines. Derived, not
    /// counted, so the magazine fast paths (a pop or a push moves one object between the program and a magazine)
    /// touch no counter of the cache. The checker compares it with a walk of every slab (S1).
    /// </summary>
    internal long ActiveObjects => (TotalSlabs * ObjectsPerSlab) - SlabLayerFree - MagazineObjects;

    /// <summary>Gets the per-thread magazine pairs (for the checker and the heap walk).</summary>
    internal IEnumerable<ThreadMagazines> Threads => _threads.Values;

    /// <summary>Gets the full magazines of the depot.</summary>
    internal ReadOnlySpan<Magazine?> DepotFull => _depotFull.AsSpan(0, _depotFullCount);

    /// <summary>Gets the empty magazines of the depot.</summary>
    internal ReadOnlySpan<Magazine?> DepotEmpty => _depotEmpty.AsSpan(0, _depotEmptyCount);

    /// <summary>Gets the capacity of each magazine, 0 when the layer is off.</summary>
    internal int MagazineSize => _magazineSize;

    /// <summary>Gets the most magazines the depot may own.</summary>
    internal int DepotLimit => _depotLimit;

    internal static ulong AlignUp(ulong value, ulong alignment) => (value + alignment - 1) & ~(alignment - 1);

    /// <summary>Chooses the pages per slab: the fewest pages holding at least <paramref name="minObjects"/> objects with at most 1/8 of the slab lost to the tail; failing that, the least tail waste (more objects on a tie).</summary>
    internal static int ChoosePagesPerSlab(ulong stride, int pageSize, int maxPages, int minObjects)
    {
        int best = 0;
        ulong bestTail = 0;
        ulong bestBytes = 1;
        for (int pages = 1; pages <= maxPages; pages++)
        {
            ulong bytes = (ulong)pages * (ulong)pageSize;
            ulong capacity = bytes / stride;
            if (capacity == 0)
            {
                continue;
            }

            ulong tail = bytes - (capacity * stride);
            if (capacity >= (ulong)minObjects && tail * 8 <= bytes)
            {
                return pages;
            }

            // tail/bytes <= bestTail/bestBytes, compared without division; ties go to the bigger slab (more objects).
            if (best == 0 || tail * bestBytes <= bestTail * bytes)
            {
                best = pages;
                bestTail = tail;
                bestBytes = bytes;
            }
        }

        return best;
    }

    /// <summary>The index of the object at <paramref name="address"/> in <paramref name="slab"/>.</summary>
    /// <remarks>Skips no check: throws when the address is not an object start.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int IndexOf(SlabDescriptor slab, ulong address, string operation) => IndexOf(slab, slab.FirstObject, address, operation);

    /// <summary>The index of the object at <paramref name="address"/> in <paramref name="slab"/>, whose first object is at <paramref name="firstObject"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int IndexOf(SlabDescriptor slab, ulong firstObject, ulong address, string operation)
    {
        ulong offset = address - firstObject;  // wraps to a huge value below the first object
        if (offset >= ObjectSpan)
        {
            ThrowOutside(slab, address, operation);
        }

        if (_strideShift >= 0)
        {
            if ((offset & (Stride - 1)) != 0)
            {
                ThrowInside(slab, address, operation, offset, (int)(offset >> _strideShift));
            }

            return (int)(offset >> _strideShift);
        }

        // offset < 2^32 here (a slab is at most 64 pages), where the multiply-high by ceil(2^64/d) is exact (Lemire 2019).
        int index = (int)Math.BigMul(_divMagic, offset, out _);
        if ((ulong)index * Stride != offset)
        {
            ThrowInside(slab, address, operation, offset, index);
        }

        return index;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool IsSlotFree(int slot) => States[slot] == SlotFree;

    /// <summary>Gets the requested size recorded for a live object.</summary>
    internal ulong RequestedOf(SlabDescriptor slab, int index)
    {
        int slot = slab.SlotBase + index;
        return States[slot] == SlotHeldShort ? RequestedSizes[slot] : UsableBytes;
    }

    /// <summary>Allocates an object for the program: magazine first, then the slab layer. 0 when the OS refuses a slab.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ulong AllocateLocked(ulong requested, int tid)
    {
        if (_magazineSize != 0)
        {
            Magazine? m = LoadedMagazine(tid);
            if (m.Count == 0)
            {
                m = ReloadForAllocate();
            }

            if (m is null)
            {
                return 0;   // the slab layer had nothing and the OS refused a new slab
            }

            ref MagazineRound round = ref m.Rounds[--m.Count];
            NoteAllocated(round.Slot, requested);
            return round.Address;
        }

        return AllocateFromSlab(requested);
    }

    /// <summary>
    /// The allocation fast path: pops the loaded magazine of simulated thread <paramref name="tid"/> when it is the
    /// cached one and holds a round, for a request of the whole object size. 0 sends the caller to the slow path
    /// (<see cref="AllocateLocked"/>), which does everything else; nothing is changed then.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ulong TryPop(ulong requested, int tid)
    {
        Magazine m = _loaded;
        int n = m.Count - 1;
        if (_loadedTid != tid || (uint)n >= (uint)m.Capacity)
        {
            return 0;   // another thread's magazines, or empty (n = -1; Magazine.None has no rounds)
        }

        // n < Capacity = Rounds.Length: no bounds check needed.
        ref MagazineRound round = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(m.Rounds), n);
        m.Count = n;
        int slot = round.Slot;

        // The slot came from the page map and an index below ObjectsPerSlab: inside States, no bounds check needed.
        // No call out: nothing stays live across one (fewer registers to save in the caller).
        ref byte state = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(States), slot);
        if (requested == UsableBytes)
        {
            state = SlotHeld;
        }
        else
        {
            state = SlotHeldShort;
            Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(RequestedSizes), slot) = (uint)requested;
            PaddingBytes += UsableBytes - requested;
        }

        return round.Address;
    }

    /// <summary>
    /// The free fast path for an address whose page-map entry names this cache with <paramref name="firstObject"/> and
    /// <paramref name="slotBase"/>: when it is an object start held by the program, was asked for at the full object
    /// size, and the cached loaded magazine of <paramref name="tid"/> has room, marks it free and pushes it. False sends
    /// the caller to the slow path (<see cref="FreeLocked"/>), which validates again and throws on misuse; nothing is
    /// changed then.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool TryPush(ulong address, ulong firstObject, int slotBase, int tid)
    {
        ulong offset = address - firstObject;   // wraps to a huge value below the first object
        if (offset >= ObjectSpan)
        {
            return false;
        }

        int index;
        if (_strideShift >= 0)
        {
            if ((offset & (Stride - 1)) != 0)
            {
                return false;   // not an object start: the slow path throws
            }

            index = (int)(offset >> _strideShift);
        }
        else
        {
            index = DivideByStride(offset);
            if ((ulong)index * Stride != offset)
            {
                return false;   // not an object start: the slow path throws
            }
        }

        Magazine m = _loaded;
        int n = m.Count;
        if (_loadedTid != tid || (uint)n >= (uint)m.Capacity)
        {
            return false;   // another thread's magazines, or full (Magazine.None has no room)
        }

        // slotBase + index (index < ObjectsPerSlab) is a slot of a live slab: inside States, no bounds check needed.
        int slot = slotBase + index;
        ref byte state = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(States), slot);
        byte was = state;
        if (was == SlotFree)
        {
            return false;   // a double free: the slow path throws
        }

        state = SlotFree;
        if (was != SlotHeld)
        {
            // Held short: take its padding off the count (RequestedSizes is as long as States).
            PaddingBytes -= UsableBytes - Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(RequestedSizes), slot);
        }

        // n < Capacity = Rounds.Length: no bounds check needed.
        ref MagazineRound round = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(m.Rounds), n);
        round.Address = address;
        round.Slot = slot;
        m.Count = n + 1;
        return true;
    }

    /// <summary>offset / Stride for an offset inside a slab (below 2^32): the multiply-high by ceil(2^64 / Stride) is exact there (Lemire 2019).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int DivideByStride(ulong offset)
        => Bmi2.X64.IsSupported ? (int)Bmi2.X64.MultiplyNoFlags(_divMagic, offset) : (int)Math.BigMul(_divMagic, offset, out _);

    /// <summary>Takes back an object the program held (an object start of <paramref name="slab"/>): magazine first, then its slab.</summary>
    /// <exception cref="HeapCorruptionException">The object is already free; nothing is changed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void FreeLocked(SlabDescriptor slab, int slotBase, int index, ulong address, string operation, int tid)
    {
        int slot = slotBase + index;
        byte[] states = States;
        byte was = states[slot];
        if (was == SlotFree)
        {
            SlabThrowHelper.DoubleFree(operation, address, slab, index);
        }

        states[slot] = SlotFree;
        if (was == SlotHeldShort)
        {
            PaddingBytes -= UsableBytes - RequestedSizes[slot];
        }

        if (_magazineSize != 0)
        {
            Magazine? m = LoadedMagazine(tid);
            if (m.Count == m.Rounds.Length)
            {
                m = MakeRoomForFree();
            }

            if (m is not null)
            {
                ref MagazineRound round = ref m.Rounds[m.Count++];
                round.Address = address;
                round.Slot = slot;
                return;
            }
        }

        ReturnToSlab(slab, address);
    }

    /// <summary>Changes the recorded requested size of a live object (an in-place realloc).</summary>
    internal void Rerequest(SlabDescriptor slab, int index, ulong requested)
    {
        int slot = slab.SlotBase + index;
        PaddingBytes -= UsableBytes - RequestedOf(slab, index);
        NoteRequested(slot, requested);
    }

    /// <summary>Empties every magazine into its slabs, then unmaps empty slabs until at most <paramref name="keepBytes"/> of them remain.</summary>
    /// <returns>The bytes unmapped.</returns>
    internal ulong Reap(ref ulong keepBytes)
    {
        // Draining can empty slabs, which the empty-slab policy may unmap at once: count by slabs, not by list.
        long before = TotalSlabs;
        DrainMagazines();
        SlabDescriptor? slab = Empty.Head;
        while (slab is not null)
        {
            SlabDescriptor? next = slab.Next;
            if (keepBytes >= SlabBytes)
            {
                keepBytes -= SlabBytes;
            }
            else
            {
                Empty.Remove(slab);
                DestroySlab(slab);
            }

            slab = next;
        }

        return (ulong)(before - TotalSlabs) * SlabBytes;
    }

    /// <summary>
    /// Simulated thread <paramref name="tid"/> ended: its loaded and previous magazines go back to the slab layer (as a
    /// CPU going offline drains its per-CPU caches) and the thread is forgotten. False when it had no magazines here.
    /// </summary>
    internal bool ThreadExit(int tid)
    {
        if (!_threads.TryGetValue(tid, out ThreadMagazines? t))
        {
            return false;
        }

        Drain(t.Loaded);
        Drain(t.Previous);
        _threads.Remove(tid);
        if (ReferenceEquals(_lastThread, t))
        {
            _lastThread = null;
            _loaded = Magazine.None;
            _loadedTid = NoThread;
        }

        return true;
    }

    /// <summary>Returns every object parked in a magazine to its slab (the depot keeps the emptied magazines).</summary>
    internal void DrainMagazines()
    {
        foreach (ThreadMagazines t in _threads.Values)
        {
            Drain(t.Loaded);
            Drain(t.Previous);
        }

        while (_depotFullCount > 0)
        {
            Magazine m = _depotFull[--_depotFullCount]!;
            _depotFull[_depotFullCount] = null;
            Drain(m);
            PushDepot(ref _depotEmpty, ref _depotEmptyCount, m);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowInside(SlabDescriptor slab, ulong address, string operation, ulong offset, int index)
        => SlabThrowHelper.NotObjectStart(operation, address, slab, $"it is {offset - ((ulong)index * Stride)} bytes into object {index}");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowOutside(SlabDescriptor slab, ulong address, string operation)
        => SlabThrowHelper.NotObjectStart(
            operation,
            address,
            slab,
            address < slab.FirstObject ? "it lies in the slab's colour padding" : "it lies in the slab's unused tail");

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void NoteAllocated(int slot, ulong requested)
    {
        NoteRequested(slot, requested);
    }

    /// <summary>Marks a slot held: SlotHeld at the full object size, else SlotHeldShort with a side-table entry.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void NoteRequested(int slot, ulong requested)
    {
        if (requested == UsableBytes)
        {
            States[slot] = SlotHeld;
        }
        else
        {
            States[slot] = SlotHeldShort;
            RequestedSizes[slot] = (uint)requested;
            PaddingBytes += UsableBytes - requested;
        }
    }

    /// <summary>The loaded magazine of simulated thread <paramref name="tid"/>, the caller (one compare while the thread does not change).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Magazine LoadedMagazine(int tid)
        => _loadedTid == tid ? _loaded : SwitchThread(tid);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Magazine SwitchThread(int tid)
    {
        if (!_threads.TryGetValue(tid, out ThreadMagazines? t))
        {
            t = new ThreadMagazines(tid, _magazineSize);
            _threads.Add(tid, t);
        }

        _lastThread = t;
        _loadedTid = tid;
        _loaded = t.Loaded;
        return t.Loaded;
    }

    /// <summary>The loaded magazine is empty: exchange with a full previous one, or trade the empty previous one for a full one from the depot.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Magazine? ReloadForAllocate()
    {
        ThreadMagazines t = _lastThread!;
        if (t.Previous.Count != 0)
        {
            t.Swap();
            _loaded = t.Loaded;
            return t.Loaded;
        }

        if (_depotFullCount == 0)
        {
            return RefillFromSlabs(t.Loaded);
        }

        Magazine full = _depotFull[--_depotFullCount]!;
        _depotFull[_depotFullCount] = null;
        PushDepot(ref _depotEmpty, ref _depotEmptyCount, t.Previous);
        t.Previous = t.Loaded;
        t.Loaded = full;
        _loaded = full;
        return full;
    }

    /// <summary>The loaded magazine is full: exchange with an empty previous one, or trade the full previous one for an empty one (reused or new within the depot limit).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Magazine? MakeRoomForFree()
    {
        ThreadMagazines t = _lastThread!;
        if (t.Previous.Count == 0)
        {
            t.Swap();
            _loaded = t.Loaded;
            return t.Loaded;
        }

        Magazine empty;
        if (_depotEmptyCount != 0)
        {
            empty = _depotEmpty[--_depotEmptyCount]!;
            _depotEmpty[_depotEmptyCount] = null;
        }
        else if (_depotFullCount + _depotEmptyCount < _depotLimit)
        {
            empty = new Magazine(_magazineSize);
        }
        else
        {
            return null;
        }

        PushDepot(ref _depotFull, ref _depotFullCount, t.Previous);
        t.Previous = t.Loaded;
        t.Loaded = empty;
        _loaded = empty;
        return empty;
    }

    /// <summary>The depot limit of a cache: <paramref name="magazines"/>, or more when <paramref name="bytes"/> of parked objects allow.</summary>
    internal static int DepotLimitFor(int magazineSize, ulong objectBytes, int magazines, long bytes)
    {
        if (magazineSize == 0)
        {
            return magazines;
        }

        ulong byBytes = (ulong)bytes / ((ulong)magazineSize * objectBytes);
        return (int)Math.Max((ulong)magazines, Math.Min(byBytes, SlabAllocatorOptionsValidator.MaxDepotMagazines));
    }

    /// <summary>Pushes <paramref name="m"/> on a depot list, growing its array (the depot never owns more than <see cref="DepotLimit"/>).</summary>
    private static void PushDepot(ref Magazine?[] list, ref int count, Magazine m)
    {
        if (count == list.Length)
        {
            Array.Resize(ref list, Math.Max(8, list.Length * 2));
        }

        list[count++] = m;
    }

    private void Drain(Magazine m)
    {
        while (m.Count != 0)
        {
            ref MagazineRound round = ref m.Rounds[--m.Count];
            ReturnToSlab(_owner.SlabOf(round.Address), round.Address);
        }
    }

    /// <summary>The slab layer: pops the in-band free list of a partial slab, else an empty one, else a new slab.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong AllocateFromSlab(ulong requested)
    {
        SlabDescriptor? slab = Partial.Head ?? Empty.Head ?? CreateSlab();
        if (slab is null)
        {
            return 0;
        }

        ulong address = slab.FreeHead;
        ulong next = _mem.ReadMappedUInt64(address + FreePointerOffset);

        // The link lives in simulated memory where a stray write can reach it: check it names a free object of this
        // slab (or ends the list exactly when one free object is left) before trusting it.
        int index = IndexOf(slab, address, "Allocate");
        if (next == 0 ? slab.SlabFree != 1 : (slab.SlabFree == 1 || !IsFreeObjectOf(slab, next)))
        {
            SlabThrowHelper.FreePointerCorrupt(address, next, slab);
        }

        slab.FreeHead = next;
        slab.SlabFree--;
        SlabLayerFree--;
        int slot = slab.SlotBase + index;
        NoteAllocated(slot, requested);
        if (slab.SlabFree == 0)
        {
            Move(slab, Full);
        }
        else if (slab.List == SlabListKind.Empty)
        {
            Move(slab, Partial);
        }

        return address;
    }

    /// <summary>
    /// The loaded magazine <paramref name="m"/> is empty and the depot has no full one: loads it with up to a magazine
    /// of objects popped from the slab layer's in-band lists in one pass (partial slabs first, then empty ones, then new
    /// ones), so a run of allocations is a run of magazine pops. The objects keep their free bits (free means "not held
    /// by the program"); each link is checked as <see cref="AllocateFromSlab"/> does before it is followed, and on a
    /// corrupt link what was taken so far stays in the magazine, the slab keeps the rest, then it throws.
    /// </summary>
    /// <returns><paramref name="m"/>, or null when nothing could be taken (the OS refused a new slab).</returns>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Magazine? RefillFromSlabs(Magazine m)
    {
        MagazineRound[] rounds = m.Rounds;
        int got = 0;
        try
        {
            while (got < rounds.Length)
            {
                SlabDescriptor? slab = Partial.Head ?? Empty.Head ?? CreateSlab();
                if (slab is null)
                {
                    break;
                }

                int take = Math.Min(rounds.Length - got, slab.SlabFree);
                int slotBase = slab.SlotBase;
                ulong firstObject = slab.FirstObject;
                ulong address = slab.FreeHead;
                int index = IndexOf(slab, address, "Allocate");
                int left = slab.SlabFree;
                int taken = 0;
                while (taken < take)
                {
                    ulong next = _mem.ReadMappedUInt64(address + FreePointerOffset);
                    int nextIndex = 0;
                    if (next == 0 ? left != 1 : (left == 1 || !IsFreeObjectOf(slab, firstObject, next, out nextIndex)))
                    {
                        TakeFromSlab(slab, address, taken);
                        SlabThrowHelper.FreePointerCorrupt(address, next, slab);
                    }

                    ref MagazineRound round = ref rounds[got++];
                    round.Address = address;
                    round.Slot = slotBase + index;
                    taken++;
                    left--;
                    address = next;
                    index = nextIndex;
                }

                TakeFromSlab(slab, address, taken);
            }
        }
        finally
        {
            // Popped in list order; the magazine pops from the top, so reverse to hand them out in that same order.
            // Also on a throw (corrupt link, failing constructor): what was taken stays parked, the cache consistent.
            rounds.AsSpan(0, got).Reverse();
            m.Count = got;
        }

        return got == 0 ? null : m;
    }

    /// <summary>Records that the first <paramref name="taken"/> objects of the slab's in-band list left it; <paramref name="head"/> is the new head.</summary>
    private void TakeFromSlab(SlabDescriptor slab, ulong head, int taken)
    {
        if (taken == 0)
        {
            return;
        }

        slab.FreeHead = head;
        slab.SlabFree -= taken;
        SlabLayerFree -= taken;
        if (slab.SlabFree == 0)
        {
            Move(slab, Full);
        }
        else if (slab.List == SlabListKind.Empty)
        {
            Move(slab, Partial);
        }
    }

    /// <summary>Whether <paramref name="address"/> is an object start of <paramref name="slab"/> whose free bit is set; its index in <paramref name="index"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsFreeObjectOf(SlabDescriptor slab, ulong firstObject, ulong address, out int index)
    {
        ulong offset = address - firstObject;
        index = 0;
        if (offset >= ObjectSpan)
        {
            return false;
        }

        index = _strideShift >= 0 ? (int)(offset >> _strideShift) : (int)Math.BigMul(_divMagic, offset, out _);
        return (ulong)index * Stride == offset && IsSlotFree(slab.SlotBase + index);
    }

    private bool IsFreeObjectOf(SlabDescriptor slab, ulong address)
    {
        ulong offset = address - slab.FirstObject;
        if (offset >= ObjectSpan)
        {
            return false;
        }

        int index = (int)Math.BigMul(_divMagic, offset, out _);
        return (ulong)index * Stride == offset && slab.IsFree(index);
    }

    /// <summary>Pushes a free object (slot state already free) onto its slab's in-band list and moves the slab to the list its state calls for.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ReturnToSlab(SlabDescriptor slab, ulong address)
    {
        _mem.WriteMappedUInt64(address + FreePointerOffset, slab.FreeHead);
        slab.FreeHead = address;
        slab.SlabFree++;
        SlabLayerFree++;
        if (slab.SlabFree == ObjectsPerSlab)
        {
            if (Empty.Count >= _emptySlabsKept)
            {
                RemoveFromList(slab);
                DestroySlab(slab);
            }
            else
            {
                Move(slab, Empty);
            }
        }
        else if (slab.List == SlabListKind.Full)
        {
            Move(slab, Partial);
        }
    }

    private void Move(SlabDescriptor slab, SlabList target)
    {
        RemoveFromList(slab);
        target.Add(slab);
    }

    private void RemoveFromList(SlabDescriptor slab)
    {
        switch (slab.List)
        {
            case SlabListKind.Full:
                Full.Remove(slab);
                break;
            case SlabListKind.Partial:
                Partial.Remove(slab);
                break;
            case SlabListKind.Empty:
                Empty.Remove(slab);
                break;
        }
    }

    /// <summary>Maps a slab, constructs every object once, threads the in-band free list and puts the slab on the empty list.</summary>
    private SlabDescriptor? CreateSlab()
    {
        OsResult mapped = _os.Mmap(0, SlabBytes, Protection.ReadWrite, MapFlags.PrivateAnonymous);
        if (!mapped.Succeeded)
        {
            _owner.NoteOsRefusal();
            return null;
        }

        ulong colour = (ulong)NextColour * ColourStep;
        NextColour = NextColour + 1 == ColourCount ? 0 : NextColour + 1;
        SlabDescriptor slab;
        if (_spareDescriptors is not null)
        {
            slab = _spareDescriptors;
            _spareDescriptors = slab.Next;
            slab.Reuse(mapped.Value, colour);
        }
        else
        {
            slab = new SlabDescriptor(this, _slabIds, mapped.Value, SlabBytes, colour);
            _slabIds++;
            if (_slabIds * SlotsPerSlab > States.Length)
            {
                Array.Resize(ref States, States.Length * 2);
                Array.Resize(ref RequestedSizes, RequestedSizes.Length * 2);
            }
        }

        // No object is free until the in-band list is threaded below: a failing constructor leaves no stale bit.
        States.AsSpan(slab.SlotBase, SlotsPerSlab).Fill(SlotHeld);

        _owner.RegisterSlab(slab);
        try
        {
            if (Constructor is not null)
            {
                _owner.EnterCallback();
                try
                {
                    for (int i = 0; i < ObjectsPerSlab; i++)
                    {
                        Constructor(slab.FirstObject + ((ulong)i * Stride), _os);
                        slab.ConstructedSlots++;
                        ConstructorCalls++;
                    }
                }
                finally
                {
                    _owner.LeaveCallback();
                }
            }
        }
        catch
        {
            // Undo: destroy what was constructed, give the pages back; the cache never saw the slab.
            RunDestructors(slab, slab.ConstructedSlots);
            RetiredConstructedSlots += slab.ConstructedSlots;
            _owner.UnregisterSlab(slab);
            _os.Munmap(slab.Base, slab.Bytes);
            slab.Next = _spareDescriptors;
            _spareDescriptors = slab;
            throw;
        }

        ulong next = 0;
        for (int i = ObjectsPerSlab - 1; i >= 0; i--)
        {
            ulong address = slab.FirstObject + ((ulong)i * Stride);
            _mem.WriteMappedUInt64(address + FreePointerOffset, next);
            next = address;
        }

        slab.FreeHead = next;
        slab.SlabFree = ObjectsPerSlab;
        SlabLayerFree += ObjectsPerSlab;
        States.AsSpan(slab.SlotBase, SlotsPerSlab).Fill(SlotFree);

        TotalSlabs++;
        Empty.Add(slab);
        return slab;
    }

    /// <summary>Runs the destructor on every slot and unmaps the slab; the slab must be off every list.</summary>
    private void DestroySlab(SlabDescriptor slab)
    {
        TotalSlabs--;
        SlabLayerFree -= slab.SlabFree;   // ObjectsPerSlab: only empty slabs are destroyed
        RetiredConstructedSlots += slab.ConstructedSlots;
        try
        {
            RunDestructors(slab, ObjectsPerSlab);
        }
        finally
        {
            _owner.UnregisterSlab(slab);
            OsResult result = _os.Munmap(slab.Base, slab.Bytes);
            if (!result.Succeeded)
            {
                _owner.NoteOsRefusal();
            }

            slab.Prev = null;
            slab.Next = _spareDescriptors;
            _spareDescriptors = slab;
        }
    }

    private void RunDestructors(SlabDescriptor slab, int count)
    {
        if (Destructor is null || count == 0)
        {
            return;
        }

        _owner.EnterCallback();
        try
        {
            for (int i = 0; i < count; i++)
            {
                DestructorCalls++;
                Destructor(slab.FirstObject + ((ulong)i * Stride), _os);
            }
        }
        finally
        {
            _owner.LeaveCallback();
        }
    }
}
