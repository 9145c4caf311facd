// Copyright (c) Allocators contributors. MIT License.

using Allocators.Os;
using Allocators.Strategies.Mmap;
using Allocators.Strategies.Tests.Contract;
using Microsoft.Extensions.Options;

namespace Allocators.Strategies.Tests.Mmap;

public sealed class MmapAllocatorTests
{
    private const ulong Page = 4096;

    [Fact]
    public void WriteOnePastEnd_GuardPageAfter_SegfaultNamesTheBlock()
    {
        using var os = new SimulatedOs();
        var allocator = new MmapAllocator(os);
        ulong p = allocator.Allocate(100);
        ulong usable = allocator.UsableSize(p);
        Assert.Equal(112UL, usable);

        // The whole usable area is writable; the next byte is the guard page.
        os.WriteByte(p + usable - 1, 1);
        SegmentationFaultException raw = Assert.Throws<SegmentationFaultException>(() => os.WriteByte(p + usable, 1));
        Assert.Equal(p + usable, raw.Address);
        Assert.True(raw.Mapped);

        SegmentationFaultException named = Assert.Throws<SegmentationFaultException>(() => allocator.RunChecked(() => os.WriteByte(p + usable, 1)));
        Assert.Contains($"guard page after block 0x{p:x} of 100 bytes", named.Message);
        Assert.Contains("12 bytes past its end", named.Message);
        Assert.Equal(MemoryAccessKind.Write, named.Access);
        Assert.Equal(raw.Address, allocator.ExplainFault(raw).Address);
    }

    [Fact]
    public void ReadBeforeStart_GuardPageBefore_SegfaultNamesTheBlock()
    {
        using var os = new SimulatedOs();
        var allocator = new MmapAllocator(os, new MmapAllocatorOptions { GuardPageBefore = true, AlignBlockEndToGuard = false });
        ulong p = allocator.Allocate(64);
        Assert.Equal(0UL, p % Page);
        SegmentationFaultException named = Assert.Throws<SegmentationFaultException>(() => allocator.RunChecked(() => os.ReadByte(p - 1)));
        Assert.Contains($"guard page before block 0x{p:x}", named.Message);
        Assert.True(allocator.CheckHeap(HeapCheckLevel.Full).Succeeded);
    }

    [Fact]
    public void Quarantine_FreedRangesAreNeverReusedAndFaultOnTouch()
    {
        using var os = new SimulatedOs();
        var allocator = new MmapAllocator(os, new MmapAllocatorOptions { Quarantine = true, QuarantineMaxBlocks = 1000 });
        var freed = new List<ulong>();
        for (int i = 0; i < 200; i++)
        {
            ulong p = allocator.Allocate((ulong)(i * 37 % 5000) + 1);
            os.WriteByte(p, 0xAA);
            freed.Add(p);
            if (i % 2 == 0)
            {
                allocator.Free(p);
            }
            else
            {
                freed.RemoveAt(freed.Count - 1);
                allocator.Free(p);
                freed.Add(p);
            }
        }

        Assert.Equal(200, allocator.QuarantinedBlocks);
        var fresh = new HashSet<ulong>();
        for (int i = 0; i < 200; i++)
        {
            fresh.Add(allocator.Allocate(16));
        }

        // No new block lands on a quarantined page.
        foreach (ulong q in freed)
        {
            ulong page = q & ~(Page - 1);
            Assert.DoesNotContain(fresh, f => (f & ~(Page - 1)) == page);
        }

        SegmentationFaultException uaf = Assert.Throws<SegmentationFaultException>(() => allocator.RunChecked(() => os.ReadByte(freed[5])));
        Assert.Contains("use after free", uaf.Message);
        Assert.True(allocator.CheckHeap(HeapCheckLevel.Full).Succeeded);
    }

    [Fact]
    public void Quarantine_IsBoundedByBlockCountAndBytes()
    {
        using var os = new SimulatedOs();
        var allocator = new MmapAllocator(os, new MmapAllocatorOptions { Quarantine = true, QuarantineMaxBlocks = 4, QuarantineMaxBytes = 1 << 20 });
        for (int i = 0; i < 20; i++)
        {
            allocator.Free(allocator.Allocate(100));
        }

        Assert.Equal(4, allocator.QuarantinedBlocks);
        allocator.Free(allocator.Allocate(900_000));
        Assert.True(allocator.QuarantinedBytes <= 1 << 20);
        Assert.True(allocator.Trim(0));
        Assert.Equal(0, allocator.QuarantinedBlocks);
        Assert.Equal(0UL, allocator.GetStatistics().HeldBytes);
    }

    [Fact]
    public void Allocate_OneGiB_RaisesVszButNotRssUntilTouched()
    {
        using var os = new SimulatedOs();
        var allocator = new MmapAllocator(os);
        OsStatistics before = os.GetStatistics();
        ulong p = allocator.Allocate(1UL << 30);
        Assert.NotEqual(0UL, p);
        OsStatistics mapped = os.GetStatistics();
        Assert.Equal((1UL << 30) + Page, mapped.VszBytes - before.VszBytes); // the block plus its guard page
        Assert.Equal(before.RssBytes, mapped.RssBytes);

        os.WriteByte(p, 1);
        os.WriteByte(p + (512 * Page) + 17, 2);
        os.WriteByte(p + (1UL << 30) - 1, 3);
        os.WriteByte(p + (1UL << 30) - 2, 4); // same page again
        OsStatistics touched = os.GetStatistics();
        Assert.Equal(3 * Page, touched.RssBytes - before.RssBytes);

        allocator.Free(p);
        OsStatistics after = os.GetStatistics();
        Assert.Equal(before.VszBytes, after.VszBytes);
        Assert.Equal(before.RssBytes, after.RssBytes);
    }

    [Fact]
    public void Free_UnmapsAtOnce()
    {
        using var os = new SimulatedOs();
        var allocator = new MmapAllocator(os, new MmapAllocatorOptions { GuardPageBefore = true });
        int maps = os.GetStatistics().MapCount;
        ulong p = allocator.Allocate(10_000);
        Assert.True(os.GetStatistics().MapCount > maps);
        long munmaps = os.GetStatistics().Munmap;
        allocator.Free(p);
        Assert.Equal(munmaps + 1, os.GetStatistics().Munmap);
        Assert.Equal(maps, os.GetStatistics().MapCount);
        Assert.False(os.IsAccessible(p, 1, Protection.Read));
    }

    [Fact]
    public void Reallocate_WithoutPlacementConstraints_UsesMremapAndKeepsTheGuard()
    {
        using var os = new SimulatedOs();
        var allocator = new MmapAllocator(os, new MmapAllocatorOptions { AlignBlockEndToGuard = false });
        ulong p = allocator.Allocate(5000);
        Testing.BlockPattern.Write(os, p, 5000, 9);
        long mremaps = os.GetStatistics().Mremap;
        ulong q = allocator.Reallocate(p, 300_000);
        Assert.Equal(mremaps + 1, os.GetStatistics().Mremap);
        Assert.Equal(-1L, Testing.BlockPattern.FindMismatch(os, q, 5000, 9, 5000));
        ulong usable = allocator.UsableSize(q);
        Assert.Equal(300_000UL + ((Page - (300_000 % Page)) % Page), usable);
        Assert.Throws<SegmentationFaultException>(() => os.WriteByte(q + usable, 1));
        Assert.True(allocator.CheckHeap(HeapCheckLevel.Full).Succeeded, allocator.CheckHeap(HeapCheckLevel.Full).ToString());

        ulong r = allocator.Reallocate(q, 100);
        Assert.Equal(-1L, Testing.BlockPattern.FindMismatch(os, r, 5000, 9, 100));
        Assert.Throws<SegmentationFaultException>(() => os.WriteByte(r + Page, 1));
        Assert.True(allocator.CheckHeap(HeapCheckLevel.Full).Succeeded);
    }

    [Fact]
    public void Reallocate_EndPlacement_MovesAndKeepsBlockAgainstTheGuard()
    {
        using var os = new SimulatedOs();
        var allocator = new MmapAllocator(os, new MmapAllocatorOptions { GuardPageBefore = true });
        ulong p = allocator.Allocate(48);
        Testing.BlockPattern.Write(os, p, 48, 4);
        ulong q = allocator.Reallocate(p, 5000);
        Assert.Equal(-1L, Testing.BlockPattern.FindMismatch(os, q, 48, 4, 48));
        Assert.Throws<SegmentationFaultException>(() => os.WriteByte(q + 5008, 1));
        Assert.False(os.IsAccessible(p, 1, Protection.Read));
        Assert.True(allocator.CheckHeap(HeapCheckLevel.Full).Succeeded);
    }

    [Fact]
    public void Free_Twice_NamesTheBlock()
    {
        using var os = new SimulatedOs();
        var allocator = new MmapAllocator(os);
        ulong p = allocator.Allocate(64);
        allocator.Free(p);
        HeapCorruptionException error = Assert.Throws<HeapCorruptionException>(() => allocator.Free(p));
        Assert.Equal(p, error.Address);
        Assert.Contains("double free", error.Message);
        Assert.Equal("mmap", error.Strategy);
    }

    [Fact]
    public void Free_InteriorPointer_SaysWhichBlockItIsInside()
    {
        using var os = new SimulatedOs();
        var allocator = new MmapAllocator(os);
        ulong p = allocator.Allocate(64);
        AllocatorArgumentException error = Assert.Throws<AllocatorArgumentException>(() => allocator.Free(p + 16));
        Assert.Contains($"inside block 0x{p:x}", error.Message);
        AllocatorArgumentException foreign = Assert.Throws<AllocatorArgumentException>(() => allocator.Free(0x1234_5670));
        Assert.Contains("not a block of this allocator", foreign.Message);
        allocator.Free(p);
        Assert.True(allocator.CheckHeap(HeapCheckLevel.Full).Succeeded);
    }

    [Fact]
    public void CheckHeap_GuardOpenedBehindTheAllocatorsBack_ReportsM2()
    {
        using var os = new SimulatedOs();
        var allocator = new MmapAllocator(os);
        ulong p = allocator.Allocate(100);
        ulong guard = p + allocator.UsableSize(p);
        Assert.True(os.Mprotect(guard, Page, Protection.ReadWrite).Succeeded);
        HeapCheckResult result = allocator.CheckHeap(HeapCheckLevel.Full);
        Assert.False(result.Succeeded);
        Assert.Contains(result.Failures, f => f.Id == "M2" && f.Address == p);
    }

    [Fact]
    public void CheckLevelFull_CorruptionBehindTheAllocatorsBack_ThrowsOnNextCall()
    {
        using var os = new SimulatedOs();
        var allocator = new MmapAllocator(os, new MmapAllocatorOptions { CheckLevel = HeapCheckLevel.Full });
        ulong p = allocator.Allocate(100);
        Assert.True(os.Munmap(p & ~(Page - 1), Page).Succeeded);
        HeapCorruptionException error = Assert.Throws<HeapCorruptionException>(() => allocator.Allocate(10));
        Assert.Contains("M1", error.Message);
    }

    [Fact]
    public void AllocateZeroed_Overflow_ReturnsNull()
    {
        using var os = new SimulatedOs();
        var allocator = new MmapAllocator(os);
        Assert.Equal(0UL, allocator.AllocateZeroed(ulong.MaxValue / 2, 3));
        Assert.Equal(AllocationFailure.OutOfMemory, allocator.GetStatistics().LastFailure);
    }

    [Fact]
    public void Allocate_MmapFails_ReturnsNullAndRecoversLater()
    {
        using var os = new SimulatedOs();
        var allocator = new MmapAllocator(os);
        os.Faults.FailNextMmap();
        Assert.Equal(0UL, allocator.Allocate(100));
        Assert.Equal(1, allocator.GetStatistics().FailedAllocations);
        Assert.True(allocator.CheckHeap(HeapCheckLevel.Full).Succeeded);
        Assert.NotEqual(0UL, allocator.Allocate(100));
    }

    [Fact]
    public void WalkHeap_ListsGuardsAndBlocks()
    {
        using var os = new SimulatedOs();
        var allocator = new MmapAllocator(os, new MmapAllocatorOptions { GuardPageBefore = true });
        ulong p = allocator.Allocate(100);
        IReadOnlyList<HeapBlock> blocks = allocator.WalkHeap();
        Assert.Equal(2, blocks.Count(b => b.Kind == HeapBlockKind.Guard));
        HeapBlock block = Assert.Single(blocks, b => b.Kind == HeapBlockKind.Mmapped);
        Assert.Equal(p, block.Address);
        Assert.Equal(112UL, block.Size);
    }

    [Fact]
    public void Constructor_InvalidOptions_ListsEveryFailure()
    {
        using var os = new SimulatedOs();
        OptionsValidationException error = Assert.Throws<OptionsValidationException>(() => new MmapAllocator(os, new MmapAllocatorOptions { AlignmentBytes = 24, QuarantineMaxBlocks = 0, QuarantineMaxBytes = 10 }));
        Assert.Equal(3, error.Failures.Count());
        Assert.Contains(error.Failures, f => f.Contains("AlignmentBytes"));
    }

    [Fact]
    public void Reallocate_ForeignPointer_IsRejected()
    {
        using var os = new SimulatedOs();
        var allocator = new MmapAllocator(os);
        Assert.True(AllocatorContractTests.IsMisuseError(Record.Exception(() => allocator.Reallocate(0x5000_0000, 10))));
    }

    /// <summary>Pinned FsCheck counterexample: realloc of an over-page-aligned block went through mremap and lost its alignment.</summary>
    [Fact]
    public void Reallocate_BlockAlignedAbovePageSize_Regression()
    {
        using var os = new SimulatedOs();
        foreach (bool alignEnd in new[] { true, false })
        {
            var allocator = new MmapAllocator(os, new MmapAllocatorOptions { AlignBlockEndToGuard = alignEnd });
            Testing.ModelChecker.Check(allocator, [Testing.AllocatorOperation.Memalign(16384, 15), Testing.AllocatorOperation.Malloc(16), Testing.AllocatorOperation.Realloc(0, 15232)]);
        }
    }

    [Fact]
    [Trait("Category", "Property")]
    public void Quarantine_RandomOperations_NoBlockEverLandsOnAFreedRange()
    {
        FsCheck.Arbitrary<Testing.AllocatorOperation[]> sequences = Testing.OperationGenerators.Arbitrary(maxLength: 150, maxBytes: 200_000, maxAlignment: 16384);
        FsCheck.Property property = FsCheck.Fluent.Prop.ForAll(sequences, operations =>
        {
            using var os = new SimulatedOs();
            var allocator = new MmapAllocator(os, new MmapAllocatorOptions { Quarantine = true, GuardPageBefore = true, QuarantineMaxBlocks = 100_000, QuarantineMaxBytes = 1UL << 40 });
            var freedPages = new HashSet<ulong>();
            var checker = new Testing.ModelChecker(allocator);
            foreach (Testing.AllocatorOperation op in operations)
            {
                HashSet<ulong> before = checker.Live.Select(b => b.Address).ToHashSet();
                var sizes = checker.Live.ToDictionary(b => b.Address, b => b.Size);
                checker.Apply(op);
                if (op.Kind == Testing.OperationKind.Trim)
                {
                    // Trim empties the quarantine by design: from here on those ranges may be reused.
                    freedPages.Clear();
                }

                HashSet<ulong> after = checker.Live.Select(b => b.Address).ToHashSet();
                foreach (ulong gone in before.Except(after))
                {
                    for (ulong page = gone & ~(Page - 1); page < gone + Math.Max(sizes[gone], 1); page += Page)
                    {
                        freedPages.Add(page);
                    }
                }

                foreach (ulong fresh in after.Except(before))
                {
                    Assert.DoesNotContain(fresh & ~(Page - 1), freedPages);
                }
            }

            checker.FreeAll();
            Assert.Equal(0, allocator.GetStatistics().LiveBlocks);
            HeapCheckResult check = allocator.CheckHeap(HeapCheckLevel.Full); // M5: every quarantined range is still PROT_NONE
            Assert.True(check.Succeeded, check.ToString());
        });
        FsCheck.Check.One(FsCheck.Config.QuickThrowOnFailure.WithMaxTest(Testing.PropertyScale.Scale(40)), property);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Allocate_MapCountExhausted_ReturnsNullAndRecoversAfterAFree()
    {
        using var os = new SimulatedOs(new SimulatedOsOptions { MaxMapCount = 64 });
        var allocator = new MmapAllocator(os, new MmapAllocatorOptions { GuardPageBefore = true });
        var blocks = new List<ulong>();
        ulong p;
        while ((p = allocator.Allocate(100)) != 0)
        {
            blocks.Add(p);
            Assert.True(blocks.Count < 64, "the map-count limit never made an allocation fail");
        }

        Assert.True(blocks.Count >= 15, $"only {blocks.Count} blocks fit in 64 mappings");
        Assert.Equal(AllocationFailure.OutOfMemory, allocator.GetStatistics().LastFailure);
        Assert.True(os.GetStatistics().MapCount <= 64);
        Assert.True(allocator.CheckHeap(HeapCheckLevel.Full).Succeeded);
        allocator.Free(blocks[^1]);
        Assert.NotEqual(0UL, allocator.Allocate(100));
    }
}
