// Copyright (c) Allocators contributors. MIT License.

using System.Globalization;

namespace Allocators.Workloads.Oracle;

/// <summary>The fields of glibc's <c>struct mallinfo2</c>.</summary>
/// <param name="Arena">Non-mmapped space allocated from the system (system_mem).</param>
/// <param name="OrdinaryBlocks">Free chunks in the bins, plus one for top (ordblks).</param>
/// <param name="FastBlocks">Chunks in the fastbins (smblks).</param>
/// <param name="MmapBlocks">Direct-mmapped chunks (hblks).</param>
/// <param name="MmapBytes">Bytes in direct-mmapped chunks (hblkhd).</param>
/// <param name="MaxTotalAllocated">Always 0 (usmblks).</param>
/// <param name="FastBytes">Bytes in fastbin chunks (fsmblks).</param>
/// <param name="InUseBytes">Bytes in use, tcache chunks included (uordblks).</param>
/// <param name="FreeBytes">Free bytes: top, fastbins and bins (fordblks).</param>
/// <param name="TopBytes">The size of the top chunk (keepcost).</param>
public readonly record struct OracleMallinfo(
    ulong Arena,
    ulong OrdinaryBlocks,
    ulong FastBlocks,
    ulong MmapBlocks,
    ulong MmapBytes,
    ulong MaxTotalAllocated,
    ulong FastBytes,
    ulong InUseBytes,
    ulong FreeBytes,
    ulong TopBytes)
{
    /// <summary>Gets the oracle's text form: the ten fields in glibc's order, comma-separated, decimal.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Arena},{OrdinaryBlocks},{FastBlocks},{MmapBlocks},{MmapBytes},{MaxTotalAllocated},{FastBytes},{InUseBytes},{FreeBytes},{TopBytes}");
}
