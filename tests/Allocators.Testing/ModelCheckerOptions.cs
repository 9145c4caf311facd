// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Testing;

/// <summary>How thoroughly <see cref="ModelChecker"/> checks.</summary>
public sealed class ModelCheckerOptions
{
    /// <summary>Gets or sets the level of <see cref="IAllocator.CheckHeap"/> run after every operation.</summary>
    public HeapCheckLevel CheckLevel { get; set; } = HeapCheckLevel.Full;

    /// <summary>Gets or sets how often (in operations) the contents of every live block are verified; 0 = only when a block is freed or resized.</summary>
    public int VerifyAllEvery { get; set; } = 16;

    /// <summary>Gets or sets the largest request that must succeed; larger ones may return 0 (counted as a failure).</summary>
    public ulong MaxGuaranteedBytes { get; set; } = 64UL * 1024 * 1024;

    /// <summary>Gets or sets the most live blocks; further allocations become frees (keeps runs bounded).</summary>
    public int MaxLiveBlocks { get; set; } = 512;
}
