// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Strategies.Slab;

/// <summary>Options of <see cref="SlabAllocator"/>: slab sizing, colouring, the empty-slab policy and the magazine layer.</summary>
public sealed class SlabAllocatorOptions
{
    internal const int DefaultMagazineSize = 32;
    internal const int DefaultDepotMagazines = 8;
    internal const int DefaultEmptySlabsPerCache = 256;
    internal const long DefaultDepotBytesPerCache = 1L << 20;
    internal const int DefaultMaxPagesPerSlab = 8;
    internal const int DefaultMinObjectsPerSlab = 8;
    internal const int DefaultCacheLineBytes = 64;

    /// <summary>Gets or sets the number of objects a magazine holds; 0 turns the per-thread magazine layer off.</summary>
    /// <value>The default is 32. Range 0 to 4096.</value>
    public int MagazineSize { get; set; } = DefaultMagazineSize;

    /// <summary>Gets or sets how many magazines (full or empty) each cache's depot may own beyond the two per thread, at least.</summary>
    /// <value>
    /// The default is 8. Range 0 to 4096. A cache of small objects may own more, up to <see cref="DepotBytesPerCache"/>
    /// of parked objects. Objects freed when no magazine has room go straight back to their slab.
    /// </value>
    public int DepotMagazines { get; set; } = DefaultDepotMagazines;

    /// <summary>Gets or sets the object bytes a cache's depot may park in full magazines, which raises <see cref="DepotMagazines"/> for small objects.</summary>
    /// <value>
    /// The default is 1 MiB (512 magazines of 32 objects of 64 bytes; the floor of <see cref="DepotMagazines"/> for
    /// objects of 4 KiB and up). Range 0 (count only) to 1 GiB.
    /// </value>
    /// <remarks>
    /// Bonwick and Adams's depot has no fixed size: it keeps whatever magazines the working set needs and the reaper
    /// returns the rest. Here <see cref="SlabAllocator.Reap"/> and <see cref="SlabAllocator.Trim"/> empty every magazine;
    /// between reaps, a program that frees a few thousand small objects and allocates them again moves whole magazines
    /// between the depot and its threads instead of pushing each object through its slab's in-band list (as glibc keeps
    /// freed small chunks in its fastbins without limit).
    /// </remarks>
    public long DepotBytesPerCache { get; set; } = DefaultDepotBytesPerCache;

    /// <summary>Gets or sets how many completely free slabs each cache keeps for reuse; further empty slabs are unmapped at once.</summary>
    /// <value>
    /// The default is 256 (1 MiB per cache of one-page slabs). Range 0 to 4096. <see cref="SlabAllocator.Reap"/> and
    /// <see cref="SlabAllocator.Trim"/> release the kept ones too.
    /// </value>
    /// <remarks>
    /// Bonwick's allocator keeps completely free slabs until the VM system reaps them, and glibc keeps freed memory
    /// below its trim threshold (128 KiB, raised dynamically with the program's mmapped chunks). Unmapping a slab the
    /// moment it empties (the default was 1) made a program that frees and refills a few thousand objects map and
    /// unmap hundreds of slabs per cycle: 122 to 374 mmap and munmap pairs per run of the fixed-size churn benchmark,
    /// about a microsecond each with the page faults that follow.
    /// </remarks>
    public int EmptySlabsPerCache { get; set; } = DefaultEmptySlabsPerCache;

    /// <summary>Gets or sets the largest slab, in pages. Size classes whose objects do not fit are served by page-level allocation.</summary>
    /// <value>The default is 8. Range 1 to 64.</value>
    public int MaxPagesPerSlab { get; set; } = DefaultMaxPagesPerSlab;

    /// <summary>Gets or sets the number of objects a slab should hold before the tail waste rule is applied (SLUB's min_objects).</summary>
    /// <value>The default is 8. Range 1 to 4096.</value>
    public int MinObjectsPerSlab { get; set; } = DefaultMinObjectsPerSlab;

    /// <summary>Gets or sets the cache-line size, the step of slab colouring.</summary>
    /// <value>The default is 64. A power of two from 16 to 4096.</value>
    public int CacheLineBytes { get; set; } = DefaultCacheLineBytes;

    /// <summary>Gets or sets a value indicating whether successive slabs start their first object at cycling cache-line offsets.</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool Colouring { get; set; } = true;

    /// <summary>Gets or sets the heap check level; <see cref="HeapCheckLevel.Full"/> runs the full invariant checker after every call.</summary>
    /// <value>The default is <see cref="HeapCheckLevel.None"/> (double frees and bad pointers are still always detected).</value>
    public HeapCheckLevel CheckLevel { get; set; } = HeapCheckLevel.None;
}
