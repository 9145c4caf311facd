// Copyright (c) Allocators contributors. MIT License.

using Allocators.Workloads.Oracle;
using static Allocators.Workloads.Tests.Oracle.OracleRunner;

namespace Allocators.Workloads.Tests.Oracle;

/// <summary>
/// The worked examples of the glibc 2.36 specification (§22 and the verified claims around it), run on the real
/// glibc through the oracle: they validate the oracle program itself (it must not perturb the heap).
/// </summary>
[Trait("Category", "Differential")]
public sealed class GlibcOracleSpecTests
{
    [OracleFact]
    public void Run_Example1FirstMallocAndThreshold_MatchesSpec()
    {
        var r = Real(Lines("malloc 1;mallinfo2;malloc 131072;malloc 200000;free 2;malloc 200000"));

        Assert.True(r.Completed, r.ToString());
        Assert.Equal(new OraclePointer(OraclePointerKind.Heap, 0x2a0), r.Step(0).Pointer);
        Assert.Equal(0x21ul, r.Step(0).SizeWord);
        Assert.Equal(0x21000ul, r.Step(0).Break);
        var mi = r.Step(1).Mallinfo!.Value;
        Assert.Equal(0x21000ul, mi.Arena);
        Assert.Equal(0x20d50ul, mi.TopBytes);
        Assert.Equal(0x2b0ul, mi.InUseBytes);

        // malloc(131072) is carved from the initial top: no mmap.
        Assert.Equal(new OraclePointer(OraclePointerKind.Heap, 0x2c0), r.Step(2).Pointer);
        Assert.Equal(0x20011ul, r.Step(2).SizeWord);

        // malloc(200000) maps 200704 bytes.
        Assert.Equal(OraclePointerKind.Mmap, r.Step(3).Pointer.Kind);
        Assert.Equal(0x10ul, r.Step(3).Pointer.Offset);
        Assert.Equal(0x31002ul, r.Step(3).SizeWord);

        // After the free, the threshold is 0x31000: the same request comes from the heap.
        Assert.Equal(new OraclePointer(OraclePointerKind.Heap, 0x202d0), r.Step(5).Pointer);
        Assert.Equal(0x30d51ul, r.Step(5).SizeWord);
        Assert.Equal(0x72000ul, r.Step(5).Break);
    }

    [OracleFact]
    public void Run_Example2TrimOnFreeAndMallocTrim_MatchesSpec()
    {
        var r = Real(Lines("malloc 1;malloc 120000;malloc 120000;mallinfo2;free 2;mallinfo2;free 1;mallinfo2;trim 0;mallinfo2"));

        Assert.True(r.Completed, r.ToString());
        Assert.Equal(0x5b000ul, r.Step(2).Break);
        Assert.Equal(0x203b0ul, r.Step(3).Mallinfo!.Value.TopBytes);
        Assert.Equal(0x3e000ul, r.Step(4).Break);
        Assert.Equal(0x20880ul, r.Step(5).Mallinfo!.Value.TopBytes);
        Assert.Equal(0x21000ul, r.Step(6).Break);
        Assert.Equal(0x20d50ul, r.Step(7).Mallinfo!.Value.TopBytes);
        Assert.Equal(1ul, r.Step(8).ReturnValue);
        Assert.Equal(0x1000ul, r.Step(8).Break);
        Assert.Equal(0xd50ul, r.Step(9).Mallinfo!.Value.TopBytes);
    }

    [OracleFact]
    public void Run_Example3MemalignFirstThenPvallocValloc_MatchesSpec()
    {
        var r = Real(Lines("memalign 64 100;malloc 10;mallinfo2;pvalloc 0;pvalloc 1;valloc 5000"));

        Assert.True(r.Completed, r.ToString());
        Assert.Equal(new OraclePointer(OraclePointerKind.Heap, 0x40), r.Step(0).Pointer);
        Assert.Equal(0x71ul, r.Step(0).SizeWord);
        Assert.Equal(0x21000ul, r.Step(0).Break);
        Assert.Equal(new OraclePointer(OraclePointerKind.Heap, 0x380), r.Step(1).Pointer);
        Assert.Equal(1ul, r.Step(2).Mallinfo!.Value.OrdinaryBlocks);
        Assert.Equal(2ul, r.Step(2).Mallinfo!.Value.FastBlocks);
        Assert.Equal(new OraclePointer(OraclePointerKind.Heap, 0x1000), r.Step(3).Pointer);
        Assert.Equal(0x20ul, r.Step(3).SizeWord); // the freed leader coalesced, so PREV_INUSE is clear
        Assert.Equal(new OraclePointer(OraclePointerKind.Heap, 0x2000), r.Step(4).Pointer);
        Assert.Equal(0x1010ul, r.Step(4).SizeWord);
        Assert.Equal(new OraclePointer(OraclePointerKind.Heap, 0x4000), r.Step(5).Pointer);
        Assert.Equal(0x1390ul, r.Step(5).SizeWord);
    }

    [OracleFact]
    public void Run_Example4LargeBinOrderAndLastRemainder_MatchesSpec()
    {
        var r = Real(Lines(
            "malloc 0x4f0;malloc 0x10;malloc 0x4f0;malloc 0x10;malloc 0x4f0;malloc 0x10;"
            + "free 0;free 2;free 4;malloc 0x600;malloc 0x4f0;malloc 0x4f0;malloc 0x4f0;"
            + "malloc 0x500;malloc 0x10;free 10;malloc 0x100;malloc 0x100"));

        Assert.True(r.Completed, r.ToString());
        Assert.Equal([0x2a0ul, 0x7c0ul, 0xce0ul], new[] { r.Step(0), r.Step(2), r.Step(4) }.Select(s => s.Pointer.Offset));
        Assert.Equal([0xce0ul, 0x7c0ul, 0x2a0ul], new[] { r.Step(10), r.Step(11), r.Step(12) }.Select(s => s.Pointer.Offset));
        var d = r.Step(13).Pointer.Offset;
        Assert.Equal(d, r.Step(16).Pointer.Offset);
        Assert.Equal(d + 0x110, r.Step(17).Pointer.Offset);
    }

    [OracleFact]
    public void Run_Example5TrimQuirkGrowsTheBreak_MatchesSpec()
    {
        var r = Real(Lines("malloc 134472;trim 65536;trim 0;mallinfo2"));

        Assert.True(r.Completed, r.ToString());
        Assert.Equal(0x21000ul, r.Step(0).Break);
        Assert.Equal(1ul, r.Step(1).ReturnValue);
        Assert.Equal(0x32000ul, r.Step(1).Break);
        Assert.Equal(0x22000ul, r.Step(2).Break);
        Assert.Equal(0x1020ul, r.Step(3).Mallinfo!.Value.TopBytes);
    }

    [OracleFact]
    public void Run_Example6UnsortedScanLimit_MatchesSpec()
    {
        const int N = 12000;
        var ops = new List<OracleOperation>();
        for (var i = 0; i < N; i++)
        {
            ops.Add(OracleOperation.Malloc(0x4f0)); // slot 2i
            ops.Add(OracleOperation.Malloc(0x10));  // slot 2i+1 (guard)
        }

        for (var i = 0; i < N; i++)
        {
            ops.Add(OracleOperation.Free(2 * i));
        }

        ops.Add(OracleOperation.Malloc(0x2000));
        ops.Add(OracleOperation.Malloc(0x4f0));
        var r = GlibcOracle.Default.Run(new OracleScript(ops));

        Assert.True(r.Completed);
        var freed10001 = r.Step(2 * 10000).Pointer;
        Assert.Equal(freed10001, r.Steps[^1].Pointer);
    }

    [OracleFact]
    public void Run_NineFreesOf24Bytes_SevenInTcacheTwoInFastbins()
    {
        var text = string.Concat(Enumerable.Repeat("malloc 24;", 9)) + "malloc 24;"
            + string.Concat(Enumerable.Range(0, 9).Select(i => $"free {i};")) + "mallinfo2;calloc 1 24;malloc 24";
        var r = Real(Lines(text));

        Assert.True(r.Completed, r.ToString());
        var mi = r.Step(19).Mallinfo!.Value;
        Assert.Equal(2ul, mi.FastBlocks);
        Assert.Equal(0x40ul, mi.FastBytes);
        Assert.Equal(r.Step(8).Pointer, r.Step(20).Pointer); // calloc takes the fastbin head (the 9th freed)
        Assert.Equal(r.Step(6).Pointer, r.Step(21).Pointer); // malloc takes the last chunk put in the tcache (the 7th)
    }

    [OracleFact]
    public void Run_ReallocShrinksMmappedChunk_StaysMmapped()
    {
        var r = Real(Lines("malloc 300000;realloc 0 100"));

        Assert.True(r.Completed, r.ToString());
        Assert.Equal(0x4a002ul, r.Step(0).SizeWord);
        Assert.Equal(OraclePointerKind.Mmap, r.Step(1).Pointer.Kind);
        Assert.Equal(0x1002ul, r.Step(1).SizeWord);
    }

    [OracleFact]
    public void Run_TopPadZeroEnvironment_FirstGrowthIsOnePage()
    {
        var r = Real("malloc 1\n", new Dictionary<string, string> { ["MALLOC_TOP_PAD_"] = "0" });

        Assert.Equal(0x1000ul, r.Step(0).Break);
    }

    [OracleFact]
    public void Run_TcacheCountZeroTunable_FirstChunkStillAt2a0()
    {
        var r = Real("malloc 24\nfree 0\nmallinfo2\n", new Dictionary<string, string> { ["GLIBC_TUNABLES"] = "glibc.malloc.tcache_count=0" });

        Assert.Equal(0x2a0ul, r.Step(0).Pointer.Offset);
        Assert.Equal(1ul, r.Step(2).Mallinfo!.Value.FastBlocks); // no tcache: the free went to a fastbin
    }

    [OracleFact]
    public void Run_ForeignSbrkThenGrowth_FreedOldTopTrimsNewTopAndMallocFails()
    {
        // Measured on glibc 2.36: the growth after a foreign sbrk(5) starts the new top 11 bytes after the unaligned
        // break (0x21010) and grows it by the old top's size as well; freeing the fenceposted old top (0x20cd0 bytes,
        // >= 64 KiB) then runs systrim, which gives 0x22000 bytes back, so the final carve fails and malloc returns NULL.
        var r = Real(Lines("malloc 100;sbrk 5;mallopt -3 1000000;malloc 140000;mallinfo2;malloc 0x20d00"));

        Assert.True(r.Completed, r.ToString());
        Assert.Equal(0x21000ul, r.Step(1).ReturnValue);
        Assert.Equal(0x21005ul, r.Step(1).Break);
        Assert.Equal(OraclePointer.Null, r.Step(3).Pointer);
        Assert.Equal(0x42000ul, r.Step(3).Break);
        var mi = r.Step(4).Mallinfo!.Value;
        Assert.Equal(0x42000ul, mi.Arena);
        Assert.Equal(0x20ff0ul, mi.TopBytes);
        Assert.Equal(2ul, mi.OrdinaryBlocks);
        Assert.Equal(new OraclePointer(OraclePointerKind.Heap, 0x21020), r.Step(5).Pointer); // the new top starts at 0x21010
    }

    [OracleFact]
    public void Run_EmptyScript_Completes()
    {
        var r = GlibcOracle.Default.Run(new OracleScript([]));

        Assert.True(r.Completed);
        Assert.Empty(r.Steps);
        Assert.Equal(0ul, r.FinalBreak);
    }

    [OracleFact]
    public void Run_ScriptWithMemoryAccess_PeekSeesThePoke()
    {
        var r = Real(Lines("malloc 64;poke 0+8 8 0x1122334455667788;xor 0+8 1 0xff;peek 0+8;usable 0"));

        Assert.Equal(0x1122334455667777ul, r.Step(3).ReturnValue);
        Assert.Equal(72ul, r.Step(4).ReturnValue);
    }

    [OracleFact]
    public void Run_UsableSizeOfCorruptedHeader_ReportsAll64Bits()
    {
        // A size word of 0x8000000000000012 (IS_MMAPPED): usable = size - 16 = 2^63, above long.MaxValue.
        var r = Real(Lines("malloc 24;poke 0-8 8 -9223372036854775790;usable 0"));

        Assert.Equal(0x8000000000000000ul, r.Step(2).ReturnValue);
    }
}
