// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Allocators.Os;
using Microsoft.Extensions.Options;

namespace Allocators.Strategies.Glibc;

/// <summary>
/// glibc 2.36 malloc (ptmalloc2 with tcache) on x86-64, reproduced exactly: every returned address, every chunk size
/// word and every brk/mmap/munmap/mremap/madvise call are those of the real libc6 2.36-9+deb12u14, as specified in
/// docs/glibc-2.36-malloc.md. Chunk headers, free-list links, tcache entries and the tcache_perthread_struct live in
/// simulated memory, so a buggy program's writes corrupt them and glibc's integrity checks fire with glibc's messages.
/// </summary>
/// <remarks>
/// <para><b>What this file owns.</b> The public surface (malloc, free, calloc, realloc, the memalign family,
/// malloc_usable_size, malloc_trim, mallopt), the per-thread tcache selection and the arena state. The partial files
/// hold the rest: <c>.Malloc</c> (_int_malloc), <c>.Free</c> (_int_free), <c>.Bins</c> (links, unlink, large-bin
/// ordering, binmap), <c>.Tcache</c>, <c>.Consolidate</c>, <c>.Top</c> (sysmalloc, systrim, mmapped chunks),
/// <c>.Realloc</c>, <c>.Memalign</c>, <c>.Checks</c> (heap checker, walker), <c>.Stats</c> (mallinfo2, malloc_stats,
/// malloc_info, statistics).</para>
/// <para><b>Glossary.</b>
/// <i>chunk</i>: a 16-aligned block with a 16-byte header (see <see cref="ChunkHeader"/> for the layout);
/// <i>top</i>: the chunk bordering the program break, split for requests no bin serves;
/// <i>tcache</i>: per-thread LIFO caches of up to 7 chunks of 0x20..0x410, kept in a 0x290 chunk (the
/// tcache_perthread_struct: 64 u16 counts at U+0, 64 entry pointers at U+128);
/// <i>fastbins</i>: LIFO singly linked lists of chunks up to <c>global_max_fast</c>, still "in use";
/// <i>unsorted bin</i> (bin 1), <i>small bins</i> (2..63, one size each), <i>large bins</i> (64..126, size ranges,
/// sorted descending with nextsize links): doubly linked lists of free, coalesced chunks;
/// <i>last remainder</i>: the remainder of the latest small split, preferred for the next small request;
/// <i>system_mem</i>: the bytes of the brk heap; <i>mmapped chunks</i>: chunks with a mapping of their own.</para>
/// <para><b>Where state lives.</b> In simulated memory: every chunk header, fd/bk/fd_nextsize/bk_nextsize, tcache
/// next (safe-linked) and key, fastbin fd (safe-linked), the tcache_perthread_struct. In C# fields: the arena
/// (malloc_state: fastbin heads, bin heads, binmap, top, last_remainder, have_fastchunks, system_mem) and mp_.
/// glibc keeps the main arena in libc's .data, not in the heap, so the bin heads are modelled as fields: each bin head
/// has a fake chunk address <c>BinHeadBase + 16 × index</c> above every user address, the links stored in chunks
/// point at those fake addresses exactly as they point into libc's .data in the real process, and the link
/// accessors of <c>.Bins</c> route those addresses to the <c>_av.BinFd</c>/<c>_av.BinBk</c> inline arrays (stored in the arena object).
/// The initial top is, as in glibc, the unsorted bin head, whose size reads as 0.</para>
/// <para><b>Invariants</b> (checked by <see cref="CheckHeap"/>; ids appear in <see cref="HeapCheckFailure.Id"/>):
/// G1 no two physically adjacent chunks are both free and binned (fast/tcache chunks count as in use);
/// G2 every binned chunk's size belongs to its bin (small bin exact size, large bin range, fastbin size, tcache size);
/// G3 a binned free chunk's foot (the next chunk's PREV word) equals its size;
/// G4 a chunk's P bit is clear exactly when the previous chunk is a binned free chunk;
/// G5 every doubly linked list is consistent (fd-&gt;bk == p, bk-&gt;fd == p) and every tcache/fastbin list ends
/// within its count;
/// G6 the top chunk borders the break (contiguous heap) and has its P bit set;
/// G7 system_mem equals the sum of heap segment spans; the walk of the heap ends exactly at top;
/// G8 the tcache counts equal the list lengths; G9 chunk sizes are multiples of 16 and at least MINSIZE.</para>
/// <para><b>Bad pointers.</b> A pointer whose header lies in unmapped or protected memory makes the real glibc die of
/// SIGSEGV. Here the simulated fault is caught at the public entry point (no probe on the fast path) and rethrown as an
/// <see cref="AllocatorArgumentException"/> when the pointer's own header is unreadable, or as a
/// <see cref="HeapCorruptionException"/> with <see cref="HeapCorruptionException.Check"/> = <c>SIGSEGV</c> when a
/// corrupted link or heap_info led into unmapped memory. A pointer into the heap that was never returned gets what glibc
/// gives (usually <c>free(): invalid pointer</c>, <c>free(): invalid size</c> or a double-free message). The checks of
/// free's normal path all run before it writes anything, so a caught error leaves the heap as it was; a few checks deep
/// inside malloc (the unsorted scan, malloc_consolidate) fire after glibc has already detached a chunk, exactly where
/// glibc would abort, and the detached chunk is then lost to the allocator (it stays consistent, it only leaks).</para>
/// <para><b>Threads.</b> Each simulated thread (<see cref="SimulatedThread.CurrentId"/>) has its own tcache and
/// thread_arena. The first thread that calls is the main thread and uses the main arena; every other thread gets an
/// arena from arena_get2 on its first allocation (a new 64 MiB-aligned heap while below the arena limit, else
/// round-robin reuse), and frees go to the chunk's owning arena (the NON_MAIN_ARENA bit and heap_info.ar_ptr in
/// simulated memory). <see cref="ThreadExit"/> (a <c># thread-exit</c> record in a trace) runs tcache_thread_shutdown
/// and puts the thread's arena on the free list that arena_get2 consults first; multi-threaded malloc's retry in
/// another arena after a failure is not modelled.</para>
/// </remarks>
public sealed partial class GlibcAllocator : IAllocator, IHeapWalker
{
    /// <summary>The fake address of bin 0's head; bin i's head is at <c>BinHeadBase + 16 i</c>.</summary>
    internal const ulong BinHeadBase = 0xffff_ff00_0000_0000;

    /// <summary>The size of the tcache_perthread_struct (its chunk is 0x290).</summary>
    internal const ulong TcacheStructSize = 640;

    internal const int NBins = 128;
    internal const int NFastBins = 10;
    internal const int TcacheMaxBins = 64;
    internal const ulong DefaultMmapThreshold = 128 * 1024;
    internal const ulong DefaultMmapThresholdMax = 32UL * 1024 * 1024;
    internal const ulong FastbinConsolidationThreshold = 65536;
    internal const int MaxIters = 10000;
    internal const ulong MmapAsMorecoreSize = 1024 * 1024;

    private const string StrategyName = "glibc";

    private readonly ISimulatedOs _os;
    /// <summary>Word access to simulated memory (chunk headers, links, tcache words), direct for resident heap pages; used under the lock only.</summary>
    private readonly DirectAccessWindow _mem;
    private readonly HeapCheckLevel _checkLevel;
    private readonly ulong _pageSize;
    private readonly GlibcAllocatorOptions _options;

    // ---- arenas (malloc_state): the main arena, the thread arenas, and the arena of the running operation ----
    private readonly Arena _main;
    private readonly List<Arena> _arenas = new();
    private Arena _av;

    // ---- mp_ and globals ----
    private ulong _trimThreshold = DefaultMmapThreshold;
    private ulong _topPad = DefaultMmapThreshold;
    private ulong _mmapThreshold = DefaultMmapThreshold;
    private int _arenaTest = 8;
    private int _arenaMax;
    private int _nMmaps;
    private int _nMmapsMax = 65536;
    private int _maxNMmaps;
    private bool _noDynThreshold;
    private ulong _mmappedMem;
    private ulong _maxMmappedMem;
    private ulong _sbrkBase;
    private ulong _tcacheBins = TcacheMaxBins;
    private ulong _tcacheMaxBytes = 1032;
    private ulong _tcacheCount = 7;
    private ulong _tcacheUnsortedLimit;
    private ulong _globalMaxFast;
    private byte _perturb;
    private bool _initialized;
    private ulong _tcacheKey;

    // ---- libc's sbrk cache (__curbrk) ----
    private ulong _curbrk;
    private bool _curbrkKnown;

    // ---- per-thread tcache ----
    private int _currentTid;
    private bool _haveMainThread;

    /// <summary><see cref="_currentTid"/> once a thread was switched to, else a value no int equals: one compare per call.</summary>
    private long _switchedTid = long.MinValue;
    private ulong _tcache;

    // ---- bookkeeping for the walker and statistics (not part of glibc's state) ----
    private readonly HashSet<ulong> _mmappedChunks = new();
    private readonly List<ulong> _segmentStarts = new();
    private bool _lastWasCached;

    /// <summary>The names of the public operations, indexed by <see cref="_op"/> (an index, not a string: no GC write barrier per call).</summary>
    private static readonly string[] s_opNames = ["malloc", "free", "calloc", "realloc", "memalign", "malloc_usable_size", "malloc_trim", "mallopt", "mallinfo2", "malloc_stats", "malloc_info", "thread exit"];

    private int _op;

    private const int OpMalloc = 0;
    private const int OpFree = 1;
    private const int OpCalloc = 2;
    private const int OpRealloc = 3;
    private const int OpMemalign = 4;
    private const int OpMallocUsableSize = 5;
    private const int OpMallocTrim = 6;
    private const int OpMallopt = 7;
    private const int OpMallinfo2 = 8;
    private const int OpMallocStats = 9;
    private const int OpMallocInfo = 10;
    private const int OpThreadExit = 11;

    private long _allocations;
    private long _frees;
    private long _reallocations;
    private long _failedAllocations;
    private AllocationFailure _lastFailure;
    private ulong _allocatedBytes;
    private ulong _peakAllocatedBytes;

    /// <summary>Initializes a new instance over <paramref name="os"/>.</summary>
    /// <param name="os">The simulated process.</param>
    /// <param name="options">The tunables; null for glibc's defaults.</param>
    /// <exception cref="OptionsValidationException">The options are invalid.</exception>
    public GlibcAllocator(ISimulatedOs os, GlibcAllocatorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(os);
        options ??= new GlibcAllocatorOptions();
        ValidateOptionsResult result = new GlibcAllocatorOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(GlibcAllocatorOptions), result.Failures);
        }

        _os = os;
        _mem = new DirectAccessWindow(os);
        _simOs = os as SimulatedOs;
        _options = options;
        _checkLevel = options.CheckLevel;
        _pageSize = (ulong)os.PageSize;
        _main = new Arena(0, BinHeadBase, contiguous: true);
        _arenas.Add(_main);
        _av = _main;
    }

    /// <inheritdoc/>
    public string Name => StrategyName;

    /// <inheritdoc/>
    public ISimulatedOs Os => _os;

    /// <summary>Gets the tcache_key (the double-free marker written at U+8 of cached chunks); 0 before initialization.</summary>
    public ulong TcacheKey => _tcacheKey;

    /// <summary>Gets the current dynamic mmap threshold (mp_.mmap_threshold).</summary>
    public ulong MmapThreshold => _mmapThreshold;

    /// <summary>Gets the current trim threshold (mp_.trim_threshold).</summary>
    public ulong TrimThreshold => _trimThreshold;

    /// <summary>Gets the heap start (mp_.sbrk_base); 0 before the first growth.</summary>
    public ulong SbrkBase => _sbrkBase;

    /// <summary>Gets the address of the top chunk; 0 before the first growth.</summary>
    public ulong TopChunk => IsBinHead(_main.Top) ? 0 : _main.Top;

    /// <summary>Gets the size of the top chunk.</summary>
    public ulong TopSize
    {
        get
        {
            using (EnterLock())
            {
                return IsBinHead(_main.Top) ? 0 : ChunkHeader.Size(_mem, _main.Top);
            }
        }
    }

    /// <summary>Gets the arena's system_mem (bytes obtained with brk or the fallback mmap).</summary>
    public ulong SystemMem => _main.SystemMem;

    /// <inheritdoc/>
    public ulong Allocate(ulong size)
    {
        AcquireLock();

        // __libc_malloc's tcache hit inline, with no protected region (a handler keeps this on the stack) and no scope: the
        // running thread unchanged, its tcache struct's host address cached (never recomputed here; 0 when the full check
        // runs after every call) and the chunk's SIZE, next and key words in one direct page: one window test for the three
        // words tcache_get and the statistics touch, only host memory, nothing can fault or throw, so the lock is released
        // here and the operation name (read only by errors) is not stored. A non-zero host address implies a non-zero
        // _tcache (it is only ever computed for one), and a tcache exists only once ptmalloc_init ran. Everything else is
        // AllocateLocked, one call away, which releases the lock.
        if (SimulatedThread.CurrentId == _switchedTid)
        {
            ulong nb = ChunkHeader.CheckedRequestToSize(size);
            ulong tcIdx = ChunkHeader.TcacheIndex(nb);
            nint host = CachedTcacheHost();
            if (host != 0)
            {
                if (tcIdx >= _tcacheBins || HostCount(host, tcIdx) == 0)
                {
                    // No tcache chunk for this size (above the tcache, or its bin empty): _int_malloc, unless the size
                    // overflows (nb 0, whose index is above every bin), which __libc_malloc fails itself.
                    return AllocateLocked(size, tcacheEmpty: nb != 0);
                }

                ref ulong entry = ref HostEntry(host, tcIdx);
                ulong e = entry;
                nint words = ChunkHeader.Aligned(e) ? _mem.HeapHostOf(e - 8, 24) : 0;
                if (words != 0)
                {
                    entry = ChunkHeader.Protect(e, HostWord(words, 8));
                    HostCount(host, tcIdx)--;
                    HostWord(words, 16) = 0;
                    CountAllocatedChunk(HostWord(words, 0) & ~ChunkHeader.SizeBits);
                    ExitLock();
                    return e;
                }
            }
        }

        return AllocateLocked(size);
    }

    /// <summary>
    /// malloc with the lock held, every path (a thread switch, the tcache through the window or a struct not cached yet,
    /// _int_malloc); releases the lock. With <paramref name="tcacheEmpty"/>, <see cref="Allocate"/> has found no tcache
    /// chunk for the request (a size above the tcache's bins, or its bin empty) through the cached struct (so ptmalloc_init
    /// and tcache_init ran), the request size valid and the running thread unchanged: then only what __libc_malloc does
    /// next, arena_get and _int_malloc, without its prologue.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong AllocateLocked(ulong size, bool tcacheEmpty = false)
    {
        try
        {
            ulong p;
            if (tcacheEmpty)
            {
                _op = OpMalloc;
                ArenaGet(size);
                p = IntMallocPerturbed(size);
            }
            else
            {
                Enter(OpMalloc);
                p = Malloc(size);
            }

            CountAllocation(p);
            AfterCall();
            return p;
        }
        catch (SegmentationFaultException e)
        {
            throw Segv(e, 0);
        }
        finally
        {
            ExitLock();
        }
    }

    /// <inheritdoc/>
    public void Free(ulong address)
    {
        AcquireLock();

        // The common frees (tcache put, fastbin push) inline through host memory, with no protected region (its handler
        // keeps this on the stack) and no scope; they release the lock themselves (see TryFreeDirect). Everything else,
        // a thread switch included, is FreeLocked, one call away, which releases the lock.
        if (SimulatedThread.CurrentId != _switchedTid || !TryFreeDirect(address))
        {
            FreeLocked(address);
        }
    }

    /// <inheritdoc/>
    public ulong Reallocate(ulong address, ulong size)
    {
        using (EnterLock())
        {
            Enter(OpRealloc);
            try
            {
                ulong oldRaw = address == 0 ? 0 : ChunkHeader.Raw(_mem, address - 16);
                ulong oldSize = oldRaw & ~ChunkHeader.SizeBits;
                ulong p = Realloc(address, size, oldRaw);
                CountRealloc(address, oldSize, size, p);
                AfterCall();
                return p;
            }
            catch (SegmentationFaultException e)
            {
                throw Segv(e, address);
            }
        }
    }

    /// <inheritdoc/>
    public ulong AllocateZeroed(ulong count, ulong size)
    {
        using (EnterLock())
        {
            Enter(OpCalloc);
            try
            {
                ulong p = Calloc(count, size);
                CountAllocation(p);
                AfterCall();
                return p;
            }
            catch (SegmentationFaultException e)
            {
                throw Segv(e, 0);
            }
        }
    }

    /// <summary>memalign / aligned_alloc (the same symbol in 2.36: no power-of-two check).</summary>
    /// <inheritdoc/>
    public ulong AllocateAligned(ulong alignment, ulong size)
    {
        using (EnterLock())
        {
            Enter(OpMemalign);
            try
            {
                ulong p = Memalign(alignment, size);
                CountAllocation(p);
                AfterCall();
                return p;
            }
            catch (SegmentationFaultException e)
            {
                throw Segv(e, 0);
            }
        }
    }

    /// <summary>aligned_alloc: identical to memalign in glibc 2.36.</summary>
    /// <param name="alignment">The alignment.</param>
    /// <param name="size">The size in bytes.</param>
    /// <returns>The block, or 0.</returns>
    public ulong AlignedAlloc(ulong alignment, ulong size) => AllocateAligned(alignment, size);

    /// <summary>posix_memalign: returns 0 and stores the block, EINVAL (22) for a bad alignment, or ENOMEM (12).</summary>
    /// <param name="result">Receives the block; untouched on EINVAL.</param>
    /// <param name="alignment">A power of two multiple of 8.</param>
    /// <param name="size">The size in bytes.</param>
    /// <returns>0, 22 or 12.</returns>
    public int PosixMemalign(ref ulong result, ulong alignment, ulong size)
    {
        if (alignment == 0 || alignment % 8 != 0 || ((alignment / 8) & ((alignment / 8) - 1)) != 0)
        {
            using (EnterLock())
            {
                _failedAllocations++;
                _lastFailure = AllocationFailure.InvalidArgument;
            }

            return (int)Errno.EINVAL;
        }

        ulong p = AllocateAligned(alignment, size);
        if (p == 0)
        {
            return (int)Errno.ENOMEM;
        }

        result = p;
        return 0;
    }

    /// <summary>valloc: memalign(4096, size).</summary>
    /// <param name="size">The size in bytes.</param>
    /// <returns>The block, or 0.</returns>
    public ulong Valloc(ulong size) => AllocateAligned(_pageSize, size);

    /// <summary>pvalloc: a page-aligned block of the size rounded up to a page (with glibc 2.36's mask quirk).</summary>
    /// <param name="size">The size in bytes.</param>
    /// <returns>The block, or 0.</returns>
    public ulong Pvalloc(ulong size)
    {
        ulong pagemask = _pageSize - 1;
        if (size > ulong.MaxValue - pagemask)
        {
            using (EnterLock())
            {
                _failedAllocations++;
                _lastFailure = AllocationFailure.OutOfMemory;
            }

            return 0;
        }

        // Upstream masks with ~(pagesize - 1 - 1): bit 0 survives.
        ulong rounded = (size + pagemask) & ~(pagemask - 1);
        return AllocateAligned(_pageSize, rounded);
    }

    /// <inheritdoc/>
    public ulong UsableSize(ulong address)
    {
        using (EnterLock())
        {
            Enter(OpMallocUsableSize);
            try
            {
                if (address == 0)
                {
                    return 0;
                }

                ulong c = address - 16;
                ProbeHeader(address);
                ulong raw = ChunkHeader.Raw(_mem, c);
                if ((raw & ChunkHeader.IsMmapped) != 0)
                {
                    return (raw & ~ChunkHeader.SizeBits) - ChunkHeader.HeaderSize;
                }

                ulong size = raw & ~ChunkHeader.SizeBits;
                return ChunkHeader.InUseAt(_mem, c, size) ? size - ChunkHeader.Word : 0;
            }
            catch (SegmentationFaultException e)
            {
                throw Segv(e, address);
            }
        }
    }

    /// <summary>malloc_trim: consolidates, madvises free pages away and trims the top; true when anything was released.</summary>
    /// <inheritdoc/>
    public bool Trim(ulong pad)
    {
        using (EnterLock())
        {
            Enter(OpMallocTrim);
            try
            {
                bool r = MallocTrimInternal(pad);
                AfterCall();
                return r;
            }
            catch (SegmentationFaultException e)
            {
                throw Segv(e, 0);
            }
        }
    }

    /// <summary>malloc_trim(pad): returns 1 when memory was released (or, by the 2.36 quirk, the break grew), else 0.</summary>
    /// <param name="pad">The bytes to keep at the top.</param>
    /// <returns>1 or 0.</returns>
    public int MallocTrim(ulong pad) => Trim(pad) ? 1 : 0;

    /// <summary>mallopt(param, value) with glibc's M_* ids (see <see cref="GlibcMallopt"/>); always consolidates first.</summary>
    /// <param name="param">The parameter id.</param>
    /// <param name="value">The value.</param>
    /// <returns>1 on success, 0 when the value was rejected.</returns>
    public int Mallopt(int param, int value)
    {
        using (EnterLock())
        {
            Enter(OpMallopt);
            try
            {
                int r = MalloptInternal(param, value);
                AfterCall();
                return r;
            }
            catch (SegmentationFaultException e)
            {
                throw Segv(e, 0);
            }
        }
    }

    /// <summary>
    /// sbrk(increment) as the program would call it through libc: moves the break and libc's cached break
    /// (a "foreign" sbrk that the allocator notices on its next growth). Returns the old break, or
    /// <see cref="ulong.MaxValue"/> on failure.
    /// </summary>
    /// <param name="increment">The signed change of the break.</param>
    /// <returns>The previous break or (void*)-1.</returns>
    public ulong Sbrk(long increment)
    {
        using (EnterLock())
        {
            ulong r = SbrkInternal(increment);
            return r == 0 ? ulong.MaxValue : r;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Enter(int op)
    {
        _op = op;
        int tid = SimulatedThread.CurrentId;
        if (tid != _switchedTid)
        {
            SwitchThread(tid);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AfterCall()
    {
        if (_checkLevel == HeapCheckLevel.Full)
        {
            RunFullCheckAfterCall();
        }
    }

    /// <summary>Reads the SIZE word of the chunk of user pointer <paramref name="address"/>, turning an unmapped header into an argument error.</summary>
    private ulong ProbeHeader(ulong address)
    {
        if (address < 16 || !_os.IsAccessible(address - 16, 16, Protection.Read))
        {
            throw new AllocatorArgumentException(StrategyName, OpName, address, "the pointer's chunk header is not in mapped, readable memory (the real glibc would die of SIGSEGV)");
        }

        return ChunkHeader.Size(_mem, address - 16);
    }

    /// <summary>
    /// Turns a simulated SIGSEGV into the documented exception: an argument error when the pointer's own header is not
    /// readable (checked only here, off the fast path), else a heap corruption whose check is <c>SIGSEGV</c>.
    /// </summary>
    private Exception Segv(SegmentationFaultException e, ulong address)
    {
        if (address != 0 && (address < 16 || !_os.IsAccessible(address - 16, 16, Protection.Read)))
        {
            return new AllocatorArgumentException(StrategyName, OpName, address, "the pointer's chunk header is not in mapped, readable memory (the real glibc would die of SIGSEGV)");
        }

        // A call without a pointer argument (malloc following a corrupted link) names the faulting address instead.
        return new HeapCorruptionException(StrategyName, OpName, address != 0 ? address : e.Address, "SIGSEGV", $"fault=0x{e.Address:x}, {e.Message}");
    }

    /// <summary>Gets the name of the running public operation (for error messages).</summary>
    private string OpName => s_opNames[_op];

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void Corrupt(string check, ulong address)
        => throw new HeapCorruptionException(StrategyName, OpName, address, check);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CountAllocation(ulong p)
    {
        if (p == 0)
        {
            _failedAllocations++;
            if (_lastFailure == AllocationFailure.None)
            {
                _lastFailure = AllocationFailure.OutOfMemory;
            }

            return;
        }

        CountAllocatedChunk(ChunkHeader.Size(_mem, p - 16));
    }

    /// <summary>Counts a successful allocation of a chunk of <paramref name="chunkSize"/> bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CountAllocatedChunk(ulong chunkSize)
    {
        _allocations++;
        _allocatedBytes += chunkSize;
        if (_allocatedBytes > _peakAllocatedBytes)
        {
            _peakAllocatedBytes = _allocatedBytes;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CountFree(ulong size)
    {
        _frees++;
        _allocatedBytes -= size;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CountRealloc(ulong oldAddress, ulong oldSize, ulong size, ulong p)
    {
        if (oldAddress == 0)
        {
            CountAllocation(p);
            return;
        }

        if (size == 0)
        {
            CountFree(oldSize);
            return;
        }

        if (p == 0)
        {
            _failedAllocations++;
            _lastFailure = AllocationFailure.OutOfMemory;
            return;
        }

        _reallocations++;
        _allocatedBytes = _allocatedBytes - oldSize + ChunkHeader.Size(_mem, p - 16);
        if (_allocatedBytes > _peakAllocatedBytes)
        {
            _peakAllocatedBytes = _allocatedBytes;
        }
    }

    private void SetFailure(AllocationFailure failure) => _lastFailure = failure;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong BinAt(int i) => _av.BinBase + ((ulong)i * 16);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsBinHead(ulong a) => a >= BinHeadBase;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong TopChunkSize() => IsBinHead(_av.Top) ? 0 : ChunkHeader.Size(_mem, _av.Top);

    /// <summary>__libc_malloc.</summary>
    private ulong Malloc(ulong bytes)
    {
        if (!_initialized)
        {
            PtmallocInit();
        }

        ulong nb = ChunkHeader.CheckedRequestToSize(bytes);
        if (nb == 0)
        {
            SetFailure(AllocationFailure.OutOfMemory);
            return 0;
        }

        ulong tcIdx = ChunkHeader.TcacheIndex(nb);
        if (_tcache == 0)
        {
            TcacheInit();
        }

        if (tcIdx < _tcacheBins && _tcache != 0)
        {
            nint host = TcacheHost();
            if (host != 0)
            {
                if (HostCount(host, tcIdx) != 0)
                {
                    return TcacheGetHost(host, tcIdx);
                }

                ArenaGet(bytes);
                return IntMallocPerturbed(bytes);
            }

            // counts[tc_idx], read once: tcache_get's decrement writes back the same word.
            ulong a = _tcache + (tcIdx * 2);
            ulong countWord = ChunkHeader.Load(_mem, a & ~7UL);
            int shift = (int)((a & 7) * 8);
            if (((countWord >> shift) & 0xffff) != 0)
            {
                return TcacheGet(tcIdx, countWord, shift);
            }
        }

        ArenaGet(bytes);
        return IntMallocPerturbed(bytes);
    }

    /// <summary>__libc_free.</summary>
    private void FreeInternal(ulong mem)
    {
        if (mem == 0)
        {
            return;
        }

        FreeInternal(mem, ChunkHeader.Raw(_mem, mem - 16));
    }

    /// <summary>__libc_free of a non-null <paramref name="mem"/> whose SIZE word the caller has just read as <paramref name="raw"/>.</summary>
    private void FreeInternal(ulong mem, ulong raw)
    {
        ulong p = mem - 16;
        if ((raw & ChunkHeader.IsMmapped) != 0)
        {
            if (!_noDynThreshold && raw > _mmapThreshold && raw <= DefaultMmapThresholdMax)
            {
                _mmapThreshold = raw & ~ChunkHeader.SizeBits;
                _trimThreshold = 2 * _mmapThreshold;
            }

            MunmapChunk(p);
            return;
        }

        // The SIZE word is re-read only when initialization ran in between (it allocates and so writes memory).
        bool initialized = false;
        if (!_initialized)
        {
            PtmallocInit();
            initialized = true;
        }

        if (_tcache == 0)
        {
            TcacheInit();
            initialized = true;
        }

        if (initialized)
        {
            raw = ChunkHeader.Raw(_mem, p);
        }

        ArenaForChunk(p, raw);
        IntFree(p, false, raw);
    }

    /// <summary>__libc_calloc.</summary>
    private ulong Calloc(ulong n, ulong elemSize)
    {
        UInt128 product = (UInt128)n * elemSize;
        if (product > ulong.MaxValue)
        {
            SetFailure(AllocationFailure.OutOfMemory);
            return 0;
        }

        ulong sz = (ulong)product;
        if (!_initialized)
        {
            PtmallocInit();
        }

        if (_tcache == 0)
        {
            TcacheInit();
        }

        ArenaGet(sz);
        ulong oldTop = _av.Top;
        ulong oldTopSize = TopChunkSize();
        if (_av.IsMain)
        {
            // glibc's unsigned arithmetic, wrap-around included: a top below sbrk_base + max_system_mem may have that
            // much cleared memory from it; a top above (the initial bin-head top, or an mmapped fallback region when brk
            // failed) wraps to a huge bound, so nothing is exempt from clearing.
            ulong fresh = _sbrkBase + _av.MaxSystemMem - oldTop;
            if (oldTopSize < fresh)
            {
                oldTopSize = fresh;
            }
        }
        else
        {
            ulong heap = oldTop & ~(HeapMaxSize - 1);
            ulong limit = heap + ChunkHeader.Load(_mem, heap + HiMprotect);
            if (oldTopSize < limit - oldTop)
            {
                oldTopSize = limit - oldTop;
            }
        }

        ulong mem = IntMallocPerturbed(sz);
        if (mem == 0)
        {
            return 0;
        }

        ulong p = mem - 16;
        ulong raw = ChunkHeader.Raw(_mem, p);
        if ((raw & ChunkHeader.IsMmapped) != 0)
        {
            if (_perturb != 0)
            {
                _os.Fill(mem, sz, 0);
            }

            return mem;
        }

        ulong csz = raw & ~ChunkHeader.SizeBits;
        if (_perturb == 0 && p == oldTop && csz > oldTopSize)
        {
            csz = oldTopSize;
        }

        // glibc clears csz - SIZE_SZ bytes (word stores up to 9 words, else memset): the same bytes, through host memory
        // when they lie in one direct heap page (small requests), else FillHeap (host memory when every page is direct,
        // else the process's Fill with its first touches).
        ulong clear = csz - ChunkHeader.Word;
        nint host = _mem.HeapHostOf(mem, clear);
        if (host != 0)
        {
            MemoryMarshal.CreateSpan(ref Unsafe.AddByteOffset(ref Unsafe.NullRef<byte>(), host), (int)clear).Clear();
        }
        else
        {
            _mem.FillHeap(mem, clear, 0);
        }

        return mem;
    }

    /// <summary>_int_malloc with perturb's fill of a fresh (not tcache-returned) block; inlined: without perturb it is just the call.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong IntMallocPerturbed(ulong bytes) => _perturb == 0 ? IntMalloc(bytes) : IntMallocPerturbing(bytes);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong IntMallocPerturbing(ulong bytes)
    {
        _lastWasCached = false;
        ulong p = IntMalloc(bytes);
        if (p != 0 && !_lastWasCached)
        {
            _os.Fill(p, bytes, (byte)(_perturb ^ 0xff));
        }

        return p;
    }

    private void FreePerturb(ulong p, ulong size)
    {
        if (_perturb != 0)
        {
            _os.Fill(p + 16, size - 16, _perturb);
        }
    }
}
