// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads.Tests.Oracle;

/// <summary>
/// Minimal scripts on which the simulation and the real glibc disagreed when the differential tests found them
/// (the findings F1, F2, … of the oracle report), pinned so they stay fixed.
/// </summary>
[Trait("Category", "Differential")]
public sealed class GlibcRegressionTests
{
    /// <summary>
    /// F1: a request far beyond RAM (2^46 bytes) fails in the kernel's heuristic overcommit check, so malloc and realloc
    /// return NULL; the simulation once accepted the mapping and grew the host process until it was OOM-killed.
    /// </summary>
    [OracleFact]
    public void F1_RequestFarBeyondMemory_ReturnsNullLikeRealGlibc()
        => Differential.AssertSame("""
            malloc 70368744177664
            mallinfo2
            malloc 24
            malloc 200000
            realloc 2 70368744177664
            mallinfo2
            """);

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

    /// <summary>
    /// F4: a freed large chunk's size word is shrunk (xor 0x1000) so the binmap search picks it for a bigger request;
    /// glibc's live assertion in _int_malloc fires before the unlink.
    /// </summary>
    [OracleFact]
    public void F4_BinmapVictimSmallerThanRequest_AssertionLikeRealGlibc()
        => Differential.AssertSame("""
            realloc null 939
            memalign 48 99
            calloc 4 1121
            malloc 931
            malloc 164
            malloc 113
            calloc 2 326
            malloc 4906
            calloc 1 330
            pvalloc 5600
            malloc 7765
            free 7
            posix_memalign 8 964
            malloc 323
            malloc 498
            free 9
            malloc 11698
            free 10
            malloc 206
            malloc 694
            malloc 2786
            malloc 985
            realloc 12 5239
            free 19
            malloc 97
            xor 19-8 8 4096
            malloc 12014
            """);

    /// <summary>
    /// F5: when systrim grows the break (the 2.36 unsigned-comparison quirk), system_mem grows but max_system_mem is
    /// not updated, which malloc_info shows as <c>&lt;system type="max"&gt;</c> below "current".
    /// </summary>
    [OracleFact]
    public void F5_TrimQuirkGrowth_DoesNotRaiseMaxSystemMem()
        => Differential.AssertSame("""
            malloc 134472
            trim 65536
            malloc_info
            """);

    /// <summary>
    /// F6: fastbin_index casts the size to 32 bits before shifting, so a fastbin chunk whose size word was clobbered
    /// with bits above 4 GiB (here 0x1_0000_0020) still indexes bin 0 and malloc hands it out without "memory
    /// corruption (fast)"; the simulation once shifted first and aborted (found by review of the free path).
    /// </summary>
    [OracleFact]
    public void F6_FastChunkSizeAbove4GiB_IndexesLikeRealGlibc()
        => Differential.AssertSame(OracleRunner.Lines(
            "malloc 24;malloc 24;malloc 24;malloc 24;malloc 24;malloc 24;malloc 24;malloc 24;malloc 24;"
            + "free 0;free 1;free 2;free 3;free 4;free 5;free 6;free 7;poke 7-8 8 0x100000021;"
            + "malloc 24;malloc 24;malloc 24;malloc 24;malloc 24;malloc 24;malloc 24;malloc 24;malloc 24"));

    /// <summary>
    /// F7: unlink_chunk tests fd->bk before bk->fd and stops at the first mismatch, so a chunk whose fd is wrong and whose bk
    /// points at unmapped memory aborts with "corrupted double-linked list" instead of faulting on bk->fd. Here the binmap
    /// search unlinks the large chunk (the single-lookup unlink of the free-path round read both links first; found in review).
    /// </summary>
    [OracleFact]
    public void F7_UnlinkWithBadFdAndUnmappedBk_AbortsLikeRealGlibc()
        => Differential.AssertSame(OracleRunner.Lines(
            "malloc 1280;malloc 16;free 0;malloc 2000;xor 0 8 8;xor 0+8 8 0x100000000000;malloc 100"));
}
