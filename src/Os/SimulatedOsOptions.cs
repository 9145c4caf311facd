// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Os;

/// <summary>
/// Layout, limits and fault injection of a <see cref="SimulatedOs"/>. Validated by
/// <see cref="SimulatedOsOptionsValidator"/>; the <see cref="SimulatedOs"/> constructor copies the values.
/// </summary>
public sealed class SimulatedOsOptions
{
    internal const int DefaultPageSize = 4096;
    internal const ulong DefaultBreakStart = 0x555555559000;
    internal const ulong DefaultMmapBase = 0x7ffff7fff000;
    internal const ulong DefaultMmapMinAddress = 0x10000;
    internal const ulong DefaultHeapReservationBytes = 64UL << 30;
    internal const ulong DefaultMmapReservationBytes = 64UL << 30;
    internal const ulong DefaultHeapHugePageBytes = 64UL << 20;
    internal const ulong HostHugePageBytes = 2UL << 20;
    internal const int DefaultMaxMapCount = 65530;
    internal const ulong DefaultOvercommitLimitBytes = 32UL << 30;
    internal const ulong DefaultMaxMappingBytes = 64UL << 30;

    /// <summary>Gets or sets the page size in bytes: a power of two from 4096 to 1 GiB.</summary>
    /// <value>The default is 4096.</value>
    public int PageSize { get; set; } = DefaultPageSize;

    /// <summary>Gets or sets the initial program break (start_brk); page aligned.</summary>
    /// <value>The default is 0x555555559000, where a non-randomised x86-64 process has it.</value>
    public ulong BreakStart { get; set; } = DefaultBreakStart;

    /// <summary>Gets or sets the mmap base: top-down placement of mappings starts just below it; page aligned.</summary>
    /// <value>The default is 0x7ffff7fff000, where a non-randomised x86-64 process has it.</value>
    public ulong MmapBase { get; set; } = DefaultMmapBase;

    /// <summary>Gets or sets vm.mmap_min_addr: no mapping is placed below it (rounded up to a page).</summary>
    /// <value>The default is 65536 (0x10000).</value>
    public ulong MmapMinAddress { get; set; } = DefaultMmapMinAddress;

    /// <summary>
    /// Gets or sets the largest size the brk heap can reach (bytes, a multiple of <see cref="PageSize"/>): the host
    /// reserves this much address space (MAP_NORESERVE, costing nothing until touched) so the heap never moves.
    /// </summary>
    /// <value>The default is 68719476736 (64 GiB).</value>
    public ulong HeapReservationBytes { get; set; } = DefaultHeapReservationBytes;

    /// <summary>
    /// Gets or sets how much of the heap's host reservation, from <see cref="BreakStart"/> on, the host is asked to back
    /// with transparent huge pages (bytes, a multiple of 2 MiB; 0 is off; clamped to
    /// <see cref="HeapReservationBytes"/>). Host memory only: the simulated page table, RSS, VSZ and page faults are
    /// the same either way. A brk heap is touched densely from its start, so huge pages there cut the host's TLB misses
    /// on chunk headers; the first touch of each 2 MiB piece costs the host 2 MiB of memory (at most this much per
    /// process). The mmap window never gets them (its sparse small mappings would each cost 2 MiB).
    /// </summary>
    /// <value>The default is 67108864 (64 MiB).</value>
    public ulong HeapHugePageBytes { get; set; } = DefaultHeapHugePageBytes;

    /// <summary>
    /// Gets or sets the size of the mmap window (bytes, a multiple of <see cref="PageSize"/>): the host reserves this
    /// much address space (MAP_NORESERVE) mirroring [MmapBase − size, MmapBase), so mappings placed there need no host
    /// system call at all; mappings elsewhere (hints, MAP_FIXED, the area above the base) get host mappings of their own.
    /// </summary>
    /// <value>The default is 68719476736 (64 GiB).</value>
    public ulong MmapReservationBytes { get; set; } = DefaultMmapReservationBytes;

    /// <summary>Gets or sets RLIMIT_AS: the largest virtual size (bytes, heap included); 0 means unlimited.</summary>
    /// <value>The default is 0 (unlimited).</value>
    public ulong AddressSpaceLimitBytes { get; set; }

    /// <summary>
    /// Gets or sets RLIMIT_DATA (bytes): limits the brk heap and, like Linux since 4.7, the private writable
    /// mappings; 0 means unlimited.
    /// </summary>
    /// <value>The default is 0 (unlimited).</value>
    public ulong DataLimitBytes { get; set; }

    /// <summary>
    /// Gets or sets the heuristic overcommit bound (vm.overcommit_memory = 0): a single brk growth, mmap or mremap
    /// growth of accounted memory (private writable, without MAP_NORESERVE) larger than this fails with ENOMEM, as
    /// Linux refuses one request larger than RAM + swap; 0 turns the check off.
    /// </summary>
    /// <value>The default is 34359738368 (32 GiB), a machine of this project's size.</value>
    public ulong OvercommitLimitBytes { get; set; } = DefaultOvercommitLimitBytes;

    /// <summary>
    /// Gets or sets the largest single mapping the simulation creates (bytes; mmap, mremap growth), accounted or not.
    /// A simulator limit, not a Linux one: page-table entries are filled when a mapping is made (8 bytes per page),
    /// so an untouched PROT_NONE or MAP_NORESERVE reservation of many TiB would still cost the host gigabytes.
    /// Larger requests fail with ENOMEM.
    /// </summary>
    /// <value>The default is 68719476736 (64 GiB).</value>
    public ulong MaxMappingBytes { get; set; } = DefaultMaxMappingBytes;

    /// <summary>Gets or sets vm.max_map_count: the most mappings (VMAs) the process may have.</summary>
    /// <value>The default is 65530.</value>
    public int MaxMapCount { get; set; } = DefaultMaxMapCount;

    /// <summary>Gets or sets the 1-based ordinal of the brk call (queries excluded) that fails with ENOMEM; 0 is off.</summary>
    /// <value>The default is 0 (off).</value>
    public long FailNthBrk { get; set; }

    /// <summary>Gets or sets the 1-based ordinal of the mmap call that fails with ENOMEM; 0 is off.</summary>
    /// <value>The default is 0 (off).</value>
    public long FailNthMmap { get; set; }

    /// <summary>Gets or sets a size above which every mmap fails with ENOMEM (bytes, after page rounding); 0 is off.</summary>
    /// <value>The default is 0 (off).</value>
    public ulong FailMmapAboveBytes { get; set; }
}
