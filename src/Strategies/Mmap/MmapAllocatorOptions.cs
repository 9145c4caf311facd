// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Strategies.Mmap;

/// <summary>Options of the <see cref="MmapAllocator"/> (strategy name <c>mmap</c>), an Electric-Fence-style debugging allocator.</summary>
public sealed class MmapAllocatorOptions
{
    internal const ulong DefaultAlignmentBytes = 16;
    internal const ulong DefaultQuarantineMaxBytes = 64UL * 1024 * 1024;
    internal const int DefaultQuarantineMaxBlocks = 4096;

    /// <summary>Gets or sets a value indicating whether a PROT_NONE page precedes every block (catches underflows).</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool GuardPageBefore { get; set; }

    /// <summary>Gets or sets a value indicating whether a PROT_NONE page follows every block (catches overflows).</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool GuardPageAfter { get; set; } = true;

    /// <summary>
    /// Gets or sets a value indicating whether a block is placed so that its end touches the page end (and so the guard after it),
    /// as Electric Fence does. The start stays aligned to <see cref="AlignmentBytes"/>, so up to <c>AlignmentBytes - 1</c> bytes of
    /// slack may remain between the requested end and the guard. When false, blocks start at the page start.
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool AlignBlockEndToGuard { get; set; } = true;

    /// <summary>Gets or sets the alignment of every returned address: a power of two from 16 to the page size.</summary>
    /// <value>The default is 16 (the x86-64 malloc alignment).</value>
    public ulong AlignmentBytes { get; set; } = DefaultAlignmentBytes;

    /// <summary>
    /// Gets or sets a value indicating whether freed ranges are quarantined: instead of being unmapped they are replaced by a
    /// PROT_NONE reservation (dropping their pages) so no later mapping can land there and any touch faults.
    /// </summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool Quarantine { get; set; }

    /// <summary>Gets or sets the most address space the quarantine keeps reserved; the oldest ranges are unmapped beyond it.</summary>
    /// <value>The default is 67108864 (64 MiB).</value>
    public ulong QuarantineMaxBytes { get; set; } = DefaultQuarantineMaxBytes;

    /// <summary>Gets or sets the most freed blocks the quarantine keeps; the oldest are unmapped beyond it.</summary>
    /// <value>The default is 4096.</value>
    public int QuarantineMaxBlocks { get; set; } = DefaultQuarantineMaxBlocks;

    /// <summary>
    /// Gets or sets the checking done on every call: <see cref="HeapCheckLevel.Cheap"/> verifies the block touched by the call
    /// (mapped read-write, guards intact); <see cref="HeapCheckLevel.Full"/> runs <see cref="MmapAllocator.CheckHeap"/> after every call
    /// and throws <see cref="HeapCorruptionException"/> on a failure.
    /// </summary>
    /// <value>The default is <see cref="HeapCheckLevel.None"/>.</value>
    public HeapCheckLevel CheckLevel { get; set; } = HeapCheckLevel.None;
}
