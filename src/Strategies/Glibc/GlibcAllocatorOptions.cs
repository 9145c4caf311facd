// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Strategies.Glibc;

/// <summary>
/// The settings of <see cref="GlibcAllocator"/>: the glibc tunables (GLIBC_TUNABLES / MALLOC_*_ environment) applied by
/// ptmalloc_init. A <c>null</c> property is an unset tunable, which glibc distinguishes from a set one: setting any of
/// <see cref="TrimThresholdBytes"/>, <see cref="TopPadBytes"/>, <see cref="MmapThresholdBytes"/> or <see cref="MmapMax"/>
/// disables the dynamic mmap threshold.
/// </summary>
public sealed class GlibcAllocatorOptions
{
    /// <summary>The default processor count used for the arena limit.</summary>
    internal const int DefaultProcessorCount = 2;

    /// <summary>Gets or sets glibc.malloc.mmap_threshold (M_MMAP_THRESHOLD).</summary>
    /// <value>The default is unset: 131072 (128 KiB) with the dynamic threshold on.</value>
    public ulong? MmapThresholdBytes { get; set; }

    /// <summary>Gets or sets glibc.malloc.trim_threshold (M_TRIM_THRESHOLD).</summary>
    /// <value>The default is unset: 131072 (128 KiB) with the dynamic threshold on.</value>
    public ulong? TrimThresholdBytes { get; set; }

    /// <summary>Gets or sets glibc.malloc.top_pad (M_TOP_PAD).</summary>
    /// <value>The default is unset: 131072 (128 KiB).</value>
    public ulong? TopPadBytes { get; set; }

    /// <summary>Gets or sets glibc.malloc.mmap_max (M_MMAP_MAX), the most simultaneous direct-mmapped chunks; 0 disables direct mmap.</summary>
    /// <value>The default is unset: 65536.</value>
    public int? MmapMax { get; set; }

    /// <summary>Gets or sets glibc.malloc.arena_max (M_ARENA_MAX), at least 1.</summary>
    /// <value>The default is unset: no fixed limit (8 × processors once more than <see cref="ArenaTest"/> arenas exist).</value>
    public int? ArenaMax { get; set; }

    /// <summary>Gets or sets glibc.malloc.arena_test (M_ARENA_TEST), at least 1.</summary>
    /// <value>The default is unset: 8.</value>
    public int? ArenaTest { get; set; }

    /// <summary>Gets or sets glibc.malloc.mxfast (M_MXFAST), the largest fastbin request, 0..160.</summary>
    /// <value>The default is unset: 128 (chunks up to 0x80).</value>
    public ulong? MaxFastBytes { get; set; }

    /// <summary>Gets or sets glibc.malloc.tcache_count, entries per tcache bin, 0..65535.</summary>
    /// <value>The default is unset: 7.</value>
    public ulong? TcacheCount { get; set; }

    /// <summary>Gets or sets glibc.malloc.tcache_max, the largest cached request, 0..1032.</summary>
    /// <value>The default is unset: 1032 (64 bins).</value>
    public ulong? TcacheMaxBytes { get; set; }

    /// <summary>Gets or sets glibc.malloc.tcache_unsorted_limit; 0 means no limit.</summary>
    /// <value>The default is unset: 0.</value>
    public ulong? TcacheUnsortedLimit { get; set; }

    /// <summary>Gets or sets glibc.malloc.perturb (M_PERTURB), 0..255; nonzero fills allocated and freed memory.</summary>
    /// <value>The default is unset: 0.</value>
    public int? Perturb { get; set; }

    /// <summary>Gets or sets how much checking is done; <see cref="HeapCheckLevel.Full"/> runs the heap checker after every call.</summary>
    /// <value>The default is <see cref="HeapCheckLevel.None"/>: only glibc's own checks.</value>
    public HeapCheckLevel CheckLevel { get; set; } = HeapCheckLevel.None;

    /// <summary>Gets or sets the number of online processors (__get_nprocs) used for the arena limit.</summary>
    /// <value>The default is 2.</value>
    public int ProcessorCount { get; set; } = DefaultProcessorCount;

    /// <summary>Gets or sets the seed of the generator that replaces getrandom for tcache_key.</summary>
    /// <value>The default is 0x2360.</value>
    public int RandomSeed { get; set; } = 0x2360;
}
