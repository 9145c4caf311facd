// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads.Tests.Oracle;

/// <summary>
/// Minimal scripts on which the simulation and the real glibc disagreed when the differential tests found them
/// (the findings F1, F2, … of the oracle report), pinned so they stay fixed.
/// </summary>
[Trait("Category", "Differential")]
public sealed class GlibcRegressionTests
{
    /// <summary>F2: a size word with NON_MAIN_ARENA set makes free read heap_for_ptr(chunk)->ar_ptr (unmapped here: SIGSEGV).</summary>
    [OracleFact]
    public void F2_FreeOfChunkWithNonMainArenaBit_MatchesRealGlibc()
        => Differential.AssertSame("""
            malloc 253
            xor 0-8 8 4
            free 0
            mallinfo2
            """);

    /// <summary>F2 (realloc): realloc also reads the arena of a chunk with NON_MAIN_ARENA set.</summary>
    [OracleFact]
    public void F2_ReallocOfChunkWithNonMainArenaBit_MatchesRealGlibc()
        => Differential.AssertSame("""
            malloc 253
            xor 0-8 8 4
            realloc 0 1000
            mallinfo2
            """);

    /// <summary>
    /// F3: the bk of the only unsorted chunk (a pointer to the unsorted bin head inside libc's malloc_state) is made
    /// odd; the real glibc reads bck->fd from libc's .data and aborts, the simulation faulted on its fake bin address.
    /// </summary>
    [OracleFact]
    public void F3_UnsortedBkPointingIntoTheArenaPlusOne_MatchesRealGlibc()
        => Differential.AssertSame("""
            malloc 4967
            malloc 991
            free 0
            xor 0+8 8 1
            calloc 4 20
            """);
}
