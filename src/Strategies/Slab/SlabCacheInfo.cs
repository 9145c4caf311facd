// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Strategies.Slab;

/// <summary>One line of <c>/proc/slabinfo</c> for a cache, plus its magazine contents and waste.</summary>
/// <param name="Name">The cache name.</param>
/// <param name="ActiveObjects">Objects the program holds (count).</param>
/// <param name="TotalObjects">Objects in all slabs of the cache (count).</param>
/// <param name="ObjectSizeBytes">The distance between objects, free-pointer space included (bytes; slabinfo's objsize).</param>
/// <param name="ObjectsPerSlab">Objects in one slab (count).</param>
/// <param name="PagesPerSlab">Pages in one slab (count).</param>
/// <param name="ActiveSlabs">Slabs with at least one object not on their free list: full and partial (count).</param>
/// <param name="TotalSlabs">All slabs: full, partial and empty (count).</param>
/// <param name="CachedObjects">Free objects parked in magazines (count).</param>
/// <param name="RoundingWasteBytes">Bytes of live objects beyond what the program asked for (bytes).</param>
/// <param name="SlabOverheadBytes">Bytes of slabs that no object can use: colour padding, tails and out-of-object free pointers (bytes).</param>
public readonly record struct SlabCacheInfo(
    string Name,
    long ActiveObjects,
    long TotalObjects,
    int ObjectSizeBytes,
    int ObjectsPerSlab,
    int PagesPerSlab,
    long ActiveSlabs,
    long TotalSlabs,
    long CachedObjects,
    ulong RoundingWasteBytes,
    ulong SlabOverheadBytes)
{
    /// <summary>Gets the total waste: rounding plus slab overhead (bytes).</summary>
    public ulong WasteBytes => RoundingWasteBytes + SlabOverheadBytes;
}
