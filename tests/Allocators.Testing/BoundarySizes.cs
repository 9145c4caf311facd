// Copyright (c) Allocators contributors. MIT License.

using FsCheck;
using FsCheck.Fluent;

namespace Allocators.Testing;

/// <summary>
/// FsCheck generators of request sizes and alignments biased to the boundaries where allocators change behaviour:
/// glibc chunk size classes, tcache/fastbin/smallbin limits (0x3f0/0x400), page and mmap-threshold edges, buddy orders,
/// slab caches, and powers of two ±1.
/// </summary>
public static class BoundarySizes
{
    /// <summary>The page size the edges are computed for.</summary>
    public const ulong PageSize = 4096;

    /// <summary>glibc's default mmap threshold (128 KiB).</summary>
    public const ulong MmapThreshold = 128 * 1024;

    private static readonly ulong[] s_edges = BuildEdges();

    /// <summary>Gets every boundary size the generators favour (sorted, distinct).</summary>
    public static IReadOnlyList<ulong> Edges => s_edges;

    /// <summary>A request size in [0, <paramref name="maxBytes"/>], mostly small, often exactly on an edge.</summary>
    /// <param name="maxBytes">The largest size generated (≤ 2^40).</param>
    /// <returns>The generator.</returns>
    public static Gen<ulong> Size(ulong maxBytes = 1 << 20)
    {
        ulong[] edges = s_edges.Where(e => e <= maxBytes).ToArray();
        int maxLog = 63 - System.Numerics.BitOperations.LeadingZeroCount(Math.Max(maxBytes, 1));
        Gen<ulong> small = Gen.Choose(0, 512).Select(v => (ulong)v);
        Gen<ulong> edge = Gen.Elements(edges);
        Gen<ulong> powerOfTwo = Gen.Choose(0, maxLog).SelectMany(log => Gen.Choose(-1, 1).Select(delta => (ulong)((long)(1UL << log) + delta)));
        Gen<ulong> medium = Gen.Choose(513, (int)Math.Min(maxBytes, 16384)).Select(v => (ulong)v);
        Gen<ulong> pages = Gen.Choose(1, (int)Math.Max(1, Math.Min(maxBytes / PageSize, 4096)))
            .SelectMany(p => Gen.Elements(-16, -8, 0, 1, 16).Select(d => (ulong)((long)(p * (long)PageSize) + d)));
        Gen<ulong> anyUpToMax = Gen.Choose(0, 1 << 20).SelectMany(high => Gen.Choose(0, 1 << 20).Select(low => (((ulong)(uint)high << 20) | (uint)low) % (maxBytes + 1)));
        return Gen.Frequency(
                (35, small),
                (25, edge),
                (15, powerOfTwo),
                (10, medium),
                (8, pages),
                (7, anyUpToMax))
            .Select(v => Math.Min(v, maxBytes));
    }

    /// <summary>An alignment for memalign: a power of two from 1 to <paramref name="maxAlignment"/>, favouring 16 to 4096.</summary>
    /// <param name="maxAlignment">The largest alignment (a power of two).</param>
    /// <returns>The generator.</returns>
    public static Gen<ulong> Alignment(ulong maxAlignment = 65536)
    {
        int maxLog = 63 - System.Numerics.BitOperations.LeadingZeroCount(maxAlignment);
        return Gen.Frequency(
            (2, Gen.Choose(0, 3).Select(l => 1UL << l)),
            (6, Gen.Choose(4, Math.Min(12, maxLog)).Select(l => 1UL << l)),
            (1, Gen.Choose(Math.Min(12, maxLog), maxLog).Select(l => 1UL << l)));
    }

    /// <summary>A count and element size for calloc whose product stays ≤ <paramref name="maxBytes"/>.</summary>
    /// <param name="maxBytes">The largest product.</param>
    /// <returns>The generator of (count, size).</returns>
    public static Gen<(ulong Count, ulong Size)> CallocArguments(ulong maxBytes = 1 << 20)
        => Size(maxBytes).SelectMany(total => Gen.Elements(1UL, 2UL, 3UL, 4UL, 8UL, 16UL, 100UL)
            .Select(count => total == 0 ? (count, 0UL) : (count, Math.Max(1, total / count))));

    private static ulong[] BuildEdges()
    {
        var set = new SortedSet<ulong> { 0, 1, 7, 8, 9, 15, 16, 17, 23, 24, 25, 31, 32, 33 };

        // glibc chunk size classes: a request of 16k-8 fills a chunk of 16k+16-... exactly; one more byte spills.
        for (ulong k = 1; k <= 72; k++)
        {
            set.Add((16 * k) - 8);
            set.Add((16 * k) - 7);
            set.Add(16 * k);
        }

        // fastbin max (0x80), tcache max (1032), last small bin (0x3f0), first large bin (0x400).
        foreach (ulong v in new ulong[] { 0x78, 0x80, 0x88, 0x3e8, 0x3f0, 0x3f8, 0x400, 0x408, 1032, 1033 })
        {
            set.Add(v);
        }

        // Powers of two ±1 and buddy orders minus a 16-byte header, up to 64 MiB.
        for (int log = 1; log <= 26; log++)
        {
            ulong p = 1UL << log;
            set.Add(p - 1);
            set.Add(p);
            set.Add(p + 1);
            if (p > 16)
            {
                set.Add(p - 16);
            }
        }

        // Slab (kmalloc) caches.
        foreach (ulong v in new ulong[] { 96, 192, 3072 })
        {
            set.Add(v - 1);
            set.Add(v);
            set.Add(v + 1);
        }

        // Page and mmap-threshold edges (glibc mmaps at request ≥ threshold - 8ish; a 128 KiB chunk is 135168 with header page).
        foreach (ulong v in new[] { PageSize, 2 * PageSize, MmapThreshold, MmapThreshold + PageSize, 32 * 1024 * 1024UL })
        {
            set.Add(v - 24);
            set.Add(v - 16);
            set.Add(v - 8);
            set.Add(v - 1);
            set.Add(v);
            set.Add(v + 1);
            set.Add(v + 8);
        }

        return [.. set];
    }
}
