// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.CompilerServices;
using Allocators.Os;
using Microsoft.Extensions.Options;

namespace Allocators.Strategies.Slab;

// What this file owns: the public surface of the slab strategy (malloc family over size-class caches, typed caches,
// reaping) and the allocate/free fast paths. SlabCache holds the per-cache slab and magazine layers;
// SlabAllocator.Checks.cs the invariant checker; SlabAllocator.Info.cs the slabinfo statistics and the heap walk.
//
// Glossary (Bonwick, USENIX 1994; Bonwick and Adams, USENIX 2001; Linux mm/slab.c and mm/slub.c):
//   cache     a pool of equal-size objects: a size class kmalloc-N, or a typed cache (CreateCache) with an optional
//             constructor run once per object slot when its slab is created and a destructor run when it is destroyed.
//   slab      PagesPerSlab pages from one anonymous mmap, cut into ObjectsPerSlab objects; its descriptor (SlabDescriptor) lives
//             out of band, found from any address by the page map (page number -> PageEntry, O(1)); the entry also
//             copies the cache, first object and slot base, so a free validates an address from one cache line.
//   slot      object i of the slab with id k of a cache is slot k x SlotsPerSlab + i: its state byte in the cache's
//             state table (free while the program does not hold it: in-band list or magazine; held; or held short of
//             the object size, with the size in the requested-size table).
//   lists     each cache keeps full (no free object), partial and empty (every object free) slabs; allocation takes
//             from a partial slab first, then an empty one, then maps a new slab.
//   colour    slab k of a cache starts its first object (k mod colours) cache lines after the page start, so equal
//             objects of different slabs do not all fall on the same cache lines; colours = tail / line + 1.
//   magazine  a per-thread stack of free constructed objects in front of the slab layer (keyed by
//             SimulatedThread.CurrentId): each thread holds a loaded and a previous magazine; the depot of the cache
//             holds up to its DepotLimit more, full or empty (DepotMagazines, or more small-object magazines within
//             DepotBytesPerCache). A magazine object is free to the program and allocated
//             to its slab. A round is (address, slot): a pop or push touches the cache's state table, never a descriptor.
//   large     requests above the largest size class get a mapping of their own (page-level allocation).
//
// Slab layout (in simulated memory; everything else is out of band):
//
//  slab ->   +-------------------------------+
//            | colour padding                |  Colour = (k mod ColourCount) x ColourStep bytes
//  first ->  +-------------------------------+
//            | object 0                      |  Stride bytes; when free, its first 8 bytes hold the address of
//            +-------------------------------+  the next free object of the slab (0 ends the list) -- or, for a
//            | object 1                      |  cache with a constructor, the 8 bytes behind the object
//            | ...                           |  (FreePointerOffset), so constructed state survives a free (as SLUB)
//            +-------------------------------+
//            | tail (unused)                 |  SlabBytes - Colour - ObjectsPerSlab x Stride
//  end ->    +-------------------------------+
//
// Size classes (bytes): 16, 32, 48, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192 -- Linux's kmalloc classes
// without 8, since the contract promises 16-byte alignment; every class is a multiple of 16 and colours step by
// whole cache lines, so every object is 16-aligned. A class that does not fit MaxPagesPerSlab pages is dropped.
//
// Invariants (checked by CheckHeap(Full), ids in failures; n = objects, s = slabs):
//   S1  per slab: objects on the in-band list + objects in magazines + objects in use = ObjectsPerSlab, and the
//       counters agree with the list walk and the slot states; each slab id owns its own state run (O(n)).
//   S2  every object lies inside its slab: colour + ObjectsPerSlab x Stride <= slab bytes; every free-list and
//       magazine entry is an object start of its slab (O(n)).
//   S3  every slab sits on the list matching its state (full: no in-band free object; empty: all; partial:
//       otherwise), list links and counts are consistent, empty slabs <= EmptySlabsPerCache (O(s)).
//   S4  in-band free-list links are valid object starts of the same slab, whose slot state is free, acyclic (O(n)).
//   S5  constructors ran exactly once per object slot of every live slab; constructor calls = live constructed
//       slots + retired ones (O(s)).
//   S6  the page map has exactly one entry per page of every live slab, pointing at it, with the slab's cache, first
//       object and slot base (O(s)).
//   S7  magazines: each round is a free object of its cache not on an in-band list, none twice; a thread's
//       previous magazine is full or empty; the depot owns at most its DepotLimit (O(n)).
//   S8  counters: allocated bytes = usable sizes of the objects in use + large blocks; requested sizes agree (O(s)).
//       (Live blocks and allocations are not counted separately: every successful call that allocates adds one live
//       block, every one that frees removes one and counts one free, so statistics report live blocks = objects in
//       use + large blocks and allocations = frees + live blocks; the allocation fast path counts nothing but bytes.)
//   S9  large blocks are mapped read-write, page-aligned in length, and overlap no slab (O(b)).
//
// Errors are found before anything changes, so the cache stays consistent: a double free by the out-of-band slot state
// (O(1), also for objects parked in magazines); a pointer inside an object, in colour padding or in a tail by the O(1) index computation; an object freed
// into the wrong cache by the descriptor's cache; a corrupted in-band link when it is popped.
//
// Lock order: one lock per allocator (_gate, a SlabGate) guards every cache; constructor and destructor callbacks run under it
// and must not call back into the allocator (that throws).

/// <summary>
/// The slab strategy (name <c>slab</c>): Bonwick's object caching with the magazine layer, as the Linux slab family
/// does it. A general-purpose allocator over size-class caches of 16 to 8192 bytes, plus typed caches with
/// constructors (<see cref="CreateCache"/>), slabinfo statistics (<see cref="GetSlabInfo"/>) and reaping
/// (<see cref="Reap"/>).
/// </summary>
/// <remarks>
/// Size classes: 16, 32, 48, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096 and 8192 bytes. Larger requests, and
/// alignments above <see cref="SlabAllocatorOptions.CacheLineBytes"/>, are served by a mapping of their own.
/// Safe for concurrent use (one lock per allocator).
/// </remarks>
public sealed partial class SlabAllocator : IAllocator, IHeapWalker
{
    /// <summary>The strategy name.</summary>
    public const string StrategyName = "slab";

    internal const ulong MaxRequestBytes = 1UL << 47;   // the x86-64 user address space: anything larger cannot be mapped

    private static readonly int[] s_sizeClasses = [16, 32, 48, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192];

    private SlabGate _gate;                             // the allocator lock (see SlabGate)
    private readonly ISimulatedOs _os;
    private readonly int _pageShift;
    private readonly ulong _pageSize;
    private readonly bool _checkFull;
    private readonly int _emptySlabsPerCache;
    private readonly int _maxPagesPerSlab;
    private readonly int _minObjectsPerSlab;
    private readonly PageMap _pages = new();
    private FastPageEntry[] _fastWindow = [];           // _pages.FastWindow for the free fast path; empty when CheckLevel is Full
    private ulong _fastWindowBase;                      // _pages.WindowBase
    private readonly SlabCache[] _classes;              // general caches, ascending size
    private readonly SlabCache[] _classByGranule;       // (size + 15) / 16 -> smallest class that fits
    private readonly ulong _maxSmallBytes;              // the largest class
    private readonly ulong _fastSmallLimit;             // _maxSmallBytes for the allocation fast path; 0 (off) when CheckLevel is Full
    private readonly ulong _smallAlignLimit;            // alignments up to this are met by some size class
    private readonly List<SlabCache> _typed = [];
    private readonly Dictionary<ulong, ulong> _large = []; // start -> length of page-level blocks (not a hot path)

    private ulong _largeBytes;
    private long _frees;                                // live blocks removed by Free, realloc(p, 0) and SlabCache.Free; allocations = frees + live blocks
    private long _reallocations;
    private long _failed;
    private AllocationFailure _lastFailure;
    private ulong _allocatedBytes;
    private ulong _peakAllocatedBytes;
    private long _osRefusals;
    private int _callbackDepth;

    /// <summary>Initializes a new instance over <paramref name="os"/>.</summary>
    /// <param name="os">The simulated process to take pages from.</param>
    /// <param name="options">The options; null for the defaults.</param>
    /// <exception cref="OptionsValidationException">The options are invalid (every failure is listed).</exception>
    public SlabAllocator(ISimulatedOs os, SlabAllocatorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(os);
        options ??= new SlabAllocatorOptions();
        ValidateOptionsResult validation = new SlabAllocatorOptionsValidator().Validate(Options.DefaultName, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(SlabAllocatorOptions), validation.Failures);
        }

        if (os.PageSize <= 0 || !BitOperations.IsPow2(os.PageSize))
        {
            throw new ArgumentException($"The simulated OS page size must be a power of two (value={os.PageSize}).", nameof(os));
        }

        _os = os;
        Memory = new DirectAccessWindow(os);
        _pageSize = (ulong)os.PageSize;
        _pageShift = BitOperations.Log2(_pageSize);
        _checkFull = options.CheckLevel == HeapCheckLevel.Full;
        CheckLevel = options.CheckLevel;
        MagazineSize = options.MagazineSize;
        DepotMagazines = options.DepotMagazines;
        DepotBytesPerCache = options.DepotBytesPerCache;
        _emptySlabsPerCache = options.EmptySlabsPerCache;
        // Object offsets inside a slab must stay below 2^32 for the multiply-high index computation: with huge pages
        // that caps the slab at 4 GiB.
        _maxPagesPerSlab = (int)Math.Min((ulong)options.MaxPagesPerSlab, Math.Max(1UL, (1UL << 32) / _pageSize));
        _minObjectsPerSlab = options.MinObjectsPerSlab;
        CacheLineBytes = options.CacheLineBytes;
        Colouring = options.Colouring;

        var classes = new List<SlabCache>(s_sizeClasses.Length);
        foreach (int size in s_sizeClasses)
        {
            int pages = SlabCache.ChoosePagesPerSlab((ulong)size, os.PageSize, _maxPagesPerSlab, _minObjectsPerSlab);
            if (pages == 0)
            {
                break;
            }

            classes.Add(new SlabCache(this, $"kmalloc-{size}", (ulong)size, 16, pages, isGeneral: true, null, null));
        }

        _classes = [.. classes];
        _maxSmallBytes = _classes[^1].UsableBytes;
        _fastSmallLimit = _checkFull ? 0 : _maxSmallBytes;
        _smallAlignLimit = Math.Min((ulong)CacheLineBytes, _pageSize);
        _classByGranule = new SlabCache[(int)(_maxSmallBytes >> 4) + 1];
        int c = 0;
        for (int granule = 0; granule < _classByGranule.Length; granule++)
        {
            while (_classes[c].UsableBytes < (ulong)granule << 4)
            {
                c++;
            }

            _classByGranule[granule] = _classes[c];
        }
    }

    /// <inheritdoc/>
    public string Name => StrategyName;

    /// <inheritdoc/>
    public ISimulatedOs Os => _os;

    /// <summary>Gets the check level this allocator was built with.</summary>
    public HeapCheckLevel CheckLevel { get; }

    /// <summary>Gets the size-class caches, smallest first.</summary>
    public IReadOnlyList<SlabCache> SizeClassCaches => _classes;

    internal int MagazineSize { get; }

    internal int DepotMagazines { get; }

    internal long DepotBytesPerCache { get; }

    internal int EmptySlabsPerCache => _emptySlabsPerCache;

    internal int CacheLineBytes { get; }

    internal bool Colouring { get; }

    /// <summary>Gets the number of system calls the OS refused (for tests only).</summary>
    internal long OsRefusals => _osRefusals;

    /// <summary>
    /// Gets the window the in-band free-list links are read and written through (under the allocator lock): straight
    /// to host memory for resident read-write slab pages, through the process otherwise, so faults stay exact.
    /// </summary>
    internal DirectAccessWindow Memory { get; }

    /// <summary>Gets the page map (for tests only).</summary>
    internal PageMap Pages => _pages;

    /// <inheritdoc/>
    /// <remarks>
    /// The fast path (a magazine pop, Bonwick's "allocation is a pop from the current CPU's loaded magazine") is a
    /// handful of loads and stores with no exception frame; everything else runs in <see cref="AllocateSlow"/>.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Allocate(ulong size)
    {
        // The simulated thread (a thread-static read once any thread other than 0 was entered) is read before the lock.
        int tid = SimulatedThread.CurrentId;
        if (!_gate.TryEnter())
        {
            return AllocateContended(size, tid);   // calls out of the fast path sit in tail position: nothing stays live across them
        }

        if (size - 1 < _fastSmallLimit)   // 0 wraps: the slow path
        {
            SlabCache cache = _classByGranule[(int)((size + 15) >> 4)];
            ulong popped = cache.TryPop(size, tid);
            if (popped != 0)
            {
                NoteLive(cache.UsableBytes);
                _gate.Exit();
                return popped;
            }
        }

        return AllocateSlow(size, tid);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The fast path (one page-map slot, the object-start test, the double-free bit and a magazine push) has no
    /// exception frame: anything it does not expect, misuse included, goes to <see cref="FreeSlow"/> before anything
    /// changed, which checks again and throws.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Free(ulong address)
    {
        int tid = SimulatedThread.CurrentId;
        if (!_gate.TryEnter())
        {
            FreeContended(address, tid);
            return;
        }

        FastPageEntry[] window = _fastWindow;
        ulong i = (address >> _pageShift) - _fastWindowBase;   // 0 and far addresses wrap or miss: slow path
        if (i < (ulong)window.Length)
        {
            ref FastPageEntry entry = ref window[(int)i];
            SlabCache? cache = entry.General;   // null for a typed cache's page and an unused slot
            if (cache is not null && cache.TryPush(address, entry.FirstObject, entry.SlotBase, tid))
            {
                _frees++;
                _allocatedBytes -= cache.UsableBytes;
                _gate.Exit();
                return;
            }
        }

        FreeSlow(address, tid);
    }

    /// <summary><see cref="Allocate"/> when the gate was held: waits for it, then takes the slow path.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong AllocateContended(ulong size, int tid)
    {
        _gate.EnterContended();
        return AllocateSlow(size, tid);
    }

    /// <summary><see cref="Free"/> when the gate was held: waits for it, then takes the slow path.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void FreeContended(ulong address, int tid)
    {
        _gate.EnterContended();
        FreeSlow(address, tid);
    }

    /// <summary>Everything <see cref="Allocate"/>'s fast path does not do; runs with the gate held and releases it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong AllocateSlow(ulong size, int tid)
    {
        try
        {
            ulong address = AllocateLocked(size, tid);
            if (_checkFull)
            {
                VerifyAfter(nameof(Allocate), address);
            }

            return address;
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>Everything <see cref="Free"/>'s fast path does not do (0, large blocks, full magazines, misuse); runs with the gate held and releases it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void FreeSlow(ulong address, int tid)
    {
        try
        {
            if (address == 0)
            {
                return;
            }

            FreeLocked(address, nameof(Free), tid);
            _frees++;
            if (_checkFull)
            {
                VerifyAfter(nameof(Free), address);
            }
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <inheritdoc/>
    public ulong Reallocate(ulong address, ulong size)
    {
        _gate.Enter();
        try
        {
            ulong result;
            if (address == 0)
            {
                result = AllocateLocked(size);
            }
            else if (size == 0)
            {
                FreeLocked(address, nameof(Reallocate));
                _frees++;
                result = 0;
            }
            else
            {
                result = ReallocateLocked(address, size);
            }

            if (_checkFull)
            {
                VerifyAfter(nameof(Reallocate), address);
            }

            return result;
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <inheritdoc/>
    public ulong AllocateZeroed(ulong count, ulong size)
    {
        _gate.Enter();
        try
        {
            ulong address;
            if (count != 0 && size > ulong.MaxValue / count)
            {
                address = Fail(AllocationFailure.OutOfMemory);
            }
            else
            {
                ulong total = count * size;
                address = AllocateLocked(total);
                if (address != 0)
                {
                    // Page-level blocks are fresh anonymous mappings, zero already; slab objects may be recycled.
                    if (total <= _maxSmallBytes && total != 0)
                    {
                        _os.Fill(address, total, 0);
                    }
                }
            }

            if (_checkFull)
            {
                VerifyAfter(nameof(AllocateZeroed), address);
            }

            return address;
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// An alignment up to <see cref="SlabAllocatorOptions.CacheLineBytes"/> is met by the smallest size class that is a
    /// multiple of it (objects of such a class are aligned because slabs are page-aligned and colours are whole cache
    /// lines); a larger alignment gets a page-level block, over-mapped and trimmed to the alignment.
    /// </remarks>
    public ulong AllocateAligned(ulong alignment, ulong size)
    {
        _gate.Enter();
        try
        {
            ulong address;
            if (alignment == 0 || !BitOperations.IsPow2(alignment))
            {
                address = Fail(AllocationFailure.InvalidArgument);
            }
            else if (alignment <= 16)
            {
                address = AllocateLocked(size);
            }
            else if (alignment <= _smallAlignLimit && size <= _maxSmallBytes)
            {
                address = AllocateAlignedSmall(alignment, size);
            }
            else
            {
                address = AllocateLarge(size, alignment);
            }


            if (_checkFull)
            {
                VerifyAfter(nameof(AllocateAligned), address);
            }

            return address;
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <inheritdoc/>
    public ulong UsableSize(ulong address)
    {
        if (address == 0)
        {
            return 0;
        }

        _gate.Enter();
        try
        {
            SlabDescriptor? slab = _pages.Find(address >> _pageShift);
            if (slab is not null)
            {
                int index = slab.Cache.IndexOf(slab, address, nameof(UsableSize));
                if (slab.IsFree(index))
                {
                    SlabThrowHelper.UseOfFreeObject(nameof(UsableSize), address, slab, index);
                }

                return slab.Cache.UsableBytes;
            }

            if (_large.TryGetValue(address, out ulong length))
            {
                return length;
            }

            ThrowUnknown(address, nameof(UsableSize));
            return 0;
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <inheritdoc/>
    /// <remarks>Reaps: empties every magazine and unmaps empty slabs, keeping at most <paramref name="pad"/> bytes of them.</remarks>
    public bool Trim(ulong pad)
    {
        _gate.Enter();
        try
        {
            bool released = ReapLocked(pad) != 0;
            if (_checkFull)
            {
                VerifyAfter(nameof(Trim), 0);
            }

            return released;
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>
    /// kmem_cache_reap: returns every object parked in a magazine to its slab and unmaps every empty slab of every
    /// cache, whatever <see cref="SlabAllocatorOptions.EmptySlabsPerCache"/> says.
    /// </summary>
    /// <returns>The bytes returned to the OS.</returns>
    public ulong Reap()
    {
        _gate.Enter();
        try
        {
            ulong released = ReapLocked(0);
            if (_checkFull)
            {
                VerifyAfter(nameof(Reap), 0);
            }

            return released;
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>
    /// kmem_cache_create: makes a typed cache of objects of <paramref name="objectSize"/> bytes aligned to
    /// <paramref name="alignment"/>. <paramref name="constructor"/> runs on every object slot when a slab is created,
    /// <paramref name="destructor"/> when it is destroyed; neither runs on allocation or free, so a freed object keeps
    /// its constructed state for the next allocation.
    /// </summary>
    /// <param name="name">A unique cache name (shown in slabinfo).</param>
    /// <param name="objectSize">The object size in bytes (1 or more; at most what fits in the largest slab).</param>
    /// <param name="alignment">The object alignment: a power of two from 8 to the page size.</param>
    /// <param name="constructor">Optional constructor, called with each object's address and the OS.</param>
    /// <param name="destructor">Optional destructor, called with each object's address and the OS.</param>
    /// <returns>The cache handle; allocate with <see cref="SlabCache.Allocate"/> and free with <see cref="SlabCache.Free"/>.</returns>
    /// <remarks>Callbacks run under the allocator's lock and must not call back into the allocator.</remarks>
    public SlabCache CreateCache(string name, int objectSize, int alignment = 16, SlabObjectCallback? constructor = null, SlabObjectCallback? destructor = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(objectSize, 1);
        if (alignment < 8 || alignment > (int)_pageSize || !BitOperations.IsPow2(alignment))
        {
            throw new ArgumentOutOfRangeException(nameof(alignment), alignment, $"CreateCache: alignment must be a power of two from 8 to the page size {_pageSize} (cache={name}).");
        }

        _gate.Enter();
        try
        {
            if (FindCache(name) is not null)
            {
                throw new ArgumentException($"CreateCache: a cache named '{name}' already exists.", nameof(name));
            }

            ulong usable = SlabCache.AlignUp((ulong)Math.Max(objectSize, 8), (ulong)alignment);
            ulong stride = constructor is null ? usable : SlabCache.AlignUp(SlabCache.AlignUp((ulong)objectSize, 8) + 8, (ulong)alignment);
            int pages = SlabCache.ChoosePagesPerSlab(stride, (int)_pageSize, _maxPagesPerSlab, _minObjectsPerSlab);
            if (pages == 0)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(objectSize),
                    objectSize,
                    $"CreateCache: an object of {stride} bytes does not fit a slab of {_maxPagesPerSlab} pages (cache={name}).");
            }

            var cache = new SlabCache(this, name, (ulong)objectSize, (ulong)alignment, pages, isGeneral: false, constructor, destructor);
            _typed.Add(cache);
            return cache;
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>kmem_cache_destroy: empties the magazines of a typed cache, destroys its slabs (running the destructor) and retires it.</summary>
    /// <param name="cache">A typed cache of this allocator with no object in use.</param>
    /// <exception cref="InvalidOperationException">Objects of the cache are still in use; nothing is changed.</exception>
    public void DestroyCache(SlabCache cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        _gate.Enter();
        try
        {
            if (!cache.IsTyped || !_typed.Contains(cache))
            {
                throw new ArgumentException($"DestroyCache: '{cache.Name}' is not a typed cache of this allocator.", nameof(cache));
            }

            if (cache.ActiveObjects != 0)
            {
                throw new InvalidOperationException($"DestroyCache: cache '{cache.Name}' still has {cache.ActiveObjects} objects in use.");
            }

            ulong keep = 0;
            cache.Reap(ref keep);
            cache.Destroyed = true;
            _typed.Remove(cache);
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>Gets the typed caches, in creation order.</summary>
    /// <returns>A snapshot of the typed caches.</returns>
    public IReadOnlyList<SlabCache> GetTypedCaches()
    {
        _gate.Enter();
        try
        {
            return [.. _typed];
        }
        finally
        {
            _gate.Exit();
        }
    }

    internal ulong AllocateFromCache(SlabCache cache)
    {
        _gate.Enter();
        try
        {
            if (cache.Destroyed)
            {
                SlabThrowHelper.CacheDestroyed(cache.Name);
            }

            ulong address = cache.AllocateLocked(cache.UsableBytes, SimulatedThread.CurrentId);
            if (address == 0)
            {
                Fail(AllocationFailure.OutOfMemory);
            }
            else
            {
                NoteLive(cache.UsableBytes);
            }

            if (_checkFull)
            {
                VerifyAfter("SlabCache.Allocate", address);
            }

            return address;
        }
        finally
        {
            _gate.Exit();
        }
    }

    internal void FreeToCache(SlabCache cache, ulong address)
    {
        if (address == 0)
        {
            return;
        }

        const string Operation = "SlabCache.Free";
        _gate.Enter();
        try
        {
            if (cache.Destroyed)
            {
                SlabThrowHelper.CacheDestroyed(cache.Name);
            }

            SlabDescriptor? slab = _pages.Find(address >> _pageShift);
            if (slab is null)
            {
                SlabThrowHelper.NotOwned(Operation, address, cache.Name);
            }

            if (slab.Cache != cache)
            {
                SlabThrowHelper.WrongCache(Operation, address, cache, slab.Cache);
            }

            int index = cache.IndexOf(slab, address, Operation);
            FreeObject(cache, slab, index, address, Operation);
            _frees++;
            if (_checkFull)
            {
                VerifyAfter(Operation, address);
            }
        }
        finally
        {
            _gate.Exit();
        }
    }

    internal void RegisterSlab(SlabDescriptor slab)
    {
        ulong first = slab.Base >> _pageShift;
        ulong pages = slab.Bytes >> _pageShift;
        try
        {
            for (ulong p = 0; p < pages; p++)
            {
                _pages.Add(first + p, slab);
            }
        }
        finally
        {
            RefreshFastWindow();
        }
    }

    internal void UnregisterSlab(SlabDescriptor slab)
    {
        ulong first = slab.Base >> _pageShift;
        ulong pages = slab.Bytes >> _pageShift;
        for (ulong p = 0; p < pages; p++)
        {
            _pages.Remove(first + p);
        }

        RefreshFastWindow();
    }

    /// <summary>Copies the page map's window for the free fast path (which a full check level keeps off).</summary>
    private void RefreshFastWindow()
    {
        if (!_checkFull)
        {
            _fastWindow = _pages.FastWindow;
            _fastWindowBase = _pages.WindowBase;
        }
    }

    internal void NoteOsRefusal() => _osRefusals++;

    /// <summary>The slab holding <paramref name="address"/>, which must be a slab object (a magazine round).</summary>
    internal SlabDescriptor SlabOf(ulong address)
        => _pages.Find(address >> _pageShift) ?? throw new InvalidOperationException($"slab: no slab holds 0x{address:x}");

    internal void EnterCallback()
    {
        _callbackDepth++;
        _gate.EnterCallback();
    }

    internal void LeaveCallback()
    {
        if (--_callbackDepth == 0)
        {
            _gate.LeaveCallback();
        }
    }

    private ulong AllocateLocked(ulong size) => AllocateLocked(size, SimulatedThread.CurrentId);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong AllocateLocked(ulong size, int tid)
    {
        if (size <= _maxSmallBytes)
        {
            SlabCache cache = _classByGranule[(int)((size + 15) >> 4)];
            ulong address = cache.AllocateLocked(size, tid);
            if (address == 0)
            {
                return Fail(AllocationFailure.OutOfMemory);
            }

            NoteLive(cache.UsableBytes);
            return address;
        }

        return AllocateLarge(size, 16);
    }

    private void FreeLocked(ulong address, string operation) => FreeLocked(address, operation, SimulatedThread.CurrentId);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void FreeLocked(ulong address, string operation, int tid)
    {
        // One page-map slot carries all a free needs; the descriptor is read only on the slow paths.
        ref readonly PageEntry entry = ref _pages.Lookup(address >> _pageShift);
        SlabCache? cache = entry.Cache;
        if (cache is null)
        {
            FreeLarge(address, operation);
            return;
        }

        SlabDescriptor slab = entry.Slab!;
        int slotBase = entry.SlotBase;
        if (!cache.IsGeneral)
        {
            SlabThrowHelper.TypedObjectThroughMalloc(operation, address, cache);
        }

        int index = cache.IndexOf(slab, entry.FirstObject, address, operation);
        cache.FreeLocked(slab, slotBase, index, address, operation, tid);
        _allocatedBytes -= cache.UsableBytes;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void FreeObject(SlabCache cache, SlabDescriptor slab, int index, ulong address, string operation)
    {
        cache.FreeLocked(slab, slab.SlotBase, index, address, operation, SimulatedThread.CurrentId);
        _allocatedBytes -= cache.UsableBytes;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void NoteLive(ulong bytes)
    {
        _allocatedBytes += bytes;
        if (_allocatedBytes > _peakAllocatedBytes)
        {
            _peakAllocatedBytes = _allocatedBytes;
        }
    }

    private ulong Fail(AllocationFailure reason)
    {
        _failed++;
        _lastFailure = reason;
        return 0;
    }

    private ulong AllocateAlignedSmall(ulong alignment, ulong size)
    {
        foreach (SlabCache cache in _classes)
        {
            if (cache.UsableBytes >= size && cache.UsableBytes % alignment == 0)
            {
                ulong address = cache.AllocateLocked(size, SimulatedThread.CurrentId);
                if (address == 0)
                {
                    return Fail(AllocationFailure.OutOfMemory);
                }

                NoteLive(cache.UsableBytes);
                return address;
            }
        }

        return AllocateLarge(size, alignment);
    }

    /// <summary>Page-level allocation: a mapping of its own, over-mapped and trimmed when the alignment exceeds a page.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong AllocateLarge(ulong size, ulong alignment)
    {
        ulong extra = alignment > _pageSize ? alignment - _pageSize : 0;
        if (size > MaxRequestBytes || extra > MaxRequestBytes)
        {
            return Fail(AllocationFailure.OutOfMemory);
        }

        ulong length = SlabCache.AlignUp(Math.Max(size, 1), _pageSize);
        OsResult mapped = _os.Mmap(0, length + extra, Protection.ReadWrite, MapFlags.PrivateAnonymous);
        if (!mapped.Succeeded)
        {
            NoteOsRefusal();
            return Fail(AllocationFailure.OutOfMemory);
        }

        ulong start = mapped.Value;
        if (extra != 0)
        {
            ulong aligned = SlabCache.AlignUp(start, alignment);
            if (aligned > start)
            {
                _os.Munmap(start, aligned - start);
            }

            ulong end = start + length + extra;
            if (end > aligned + length)
            {
                _os.Munmap(aligned + length, end - (aligned + length));
            }

            start = aligned;
        }

        _large.Add(start, length);
        _largeBytes += length;
        NoteLive(length);
        return start;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void FreeLarge(ulong address, string operation)
    {
        if (!_large.Remove(address, out ulong length))
        {
            ThrowUnknown(address, operation);
        }

        _largeBytes -= length;
        _allocatedBytes -= length;
        OsResult result = _os.Munmap(address, length);
        if (!result.Succeeded)
        {
            NoteOsRefusal();
        }
    }

    private void ThrowUnknown(ulong address, string operation)
    {
        foreach (KeyValuePair<ulong, ulong> block in _large)
        {
            if (address > block.Key && address < block.Key + block.Value)
            {
                SlabThrowHelper.InsideLargeBlock(operation, address, block.Key, block.Value);
            }
        }

        SlabThrowHelper.NotOwned(operation, address);
    }

    private ulong ReallocateLocked(ulong address, ulong size)
    {
        const string Operation = nameof(Reallocate);
        SlabDescriptor? slab = _pages.Find(address >> _pageShift);
        if (slab is not null)
        {
            SlabCache cache = slab.Cache;
            if (!cache.IsGeneral)
            {
                SlabThrowHelper.TypedObjectThroughMalloc(Operation, address, cache);
            }

            int index = cache.IndexOf(slab, address, Operation);
            if (slab.IsFree(index))
            {
                SlabThrowHelper.UseOfFreeObject(Operation, address, slab, index);
            }

            // krealloc: stay in place while the object is big enough.
            if (size <= cache.UsableBytes)
            {
                cache.Rerequest(slab, index, size);
                _reallocations++;
                return address;
            }

            ulong moved = AllocateLocked(size);
            if (moved == 0)
            {
                return 0;
            }

            _os.Copy(moved, address, cache.UsableBytes);
            FreeObject(cache, slab, index, address, Operation);
            _reallocations++;
            return moved;
        }

        if (!_large.TryGetValue(address, out ulong length))
        {
            ThrowUnknown(address, Operation);
        }

        if (size <= _maxSmallBytes)
        {
            ulong moved = AllocateLocked(size);
            if (moved == 0)
            {
                return 0;
            }

            // A page-level block may be smaller than the request: an over-aligned small block gets one page.
            _os.Copy(moved, address, Math.Min(size, length));
            FreeLarge(address, Operation);
            _reallocations++;
            return moved;
        }

        if (size > MaxRequestBytes)
        {
            return Fail(AllocationFailure.OutOfMemory);
        }

        ulong newLength = SlabCache.AlignUp(size, _pageSize);
        if (newLength != length)
        {
            OsResult remapped = _os.Mremap(address, length, newLength, MremapFlags.MayMove);
            if (!remapped.Succeeded)
            {
                NoteOsRefusal();
                return Fail(AllocationFailure.OutOfMemory);
            }

            _large.Remove(address);
            _large.Add(remapped.Value, newLength);
            _largeBytes = _largeBytes - length + newLength;
            _allocatedBytes = _allocatedBytes - length + newLength;
            if (_allocatedBytes > _peakAllocatedBytes)
            {
                _peakAllocatedBytes = _allocatedBytes;
            }

            address = remapped.Value;
        }

        _reallocations++;
        return address;
    }

    private ulong ReapLocked(ulong keepBytes)
    {
        ulong released = 0;
        foreach (SlabCache cache in _classes)
        {
            released += cache.Reap(ref keepBytes);
        }

        foreach (SlabCache cache in _typed)
        {
            released += cache.Reap(ref keepBytes);
        }

        return released;
    }

    private SlabCache? FindCache(string name)
    {
        foreach (SlabCache cache in _classes)
        {
            if (cache.Name == name)
            {
                return cache;
            }
        }

        foreach (SlabCache cache in _typed)
        {
            if (cache.Name == name)
            {
                return cache;
            }
        }

        return null;
    }
}
