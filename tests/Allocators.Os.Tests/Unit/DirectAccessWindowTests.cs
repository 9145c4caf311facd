// Copyright (c) Allocators contributors. MIT License.

using FsCheck.Xunit;

namespace Allocators.Os.Tests.Unit;

public sealed class DirectAccessWindowTests
{
    private const int Page = 4096;

    [Fact]
    public void AccessEpoch_TouchAndGrowth_DoNotChangeIt()
    {
        using var os = new SimulatedOs();
        long before = os.AccessEpoch;
        os.Brk(os.InitialBreak + (4 * Page));
        os.WriteUInt64(os.InitialBreak, 1);
        Assert.Equal(before, os.AccessEpoch);
    }

    [Fact]
    public void AccessEpoch_EveryLoss_IncreasesIt()
    {
        using var os = new SimulatedOs();
        ulong heap = os.InitialBreak;
        os.Brk(heap + (4 * Page));
        ulong m = os.Mmap(0, 4 * Page, Protection.ReadWrite, MapFlags.PrivateAnonymous).Value;
        long e0 = os.AccessEpoch;
        os.Madvise(heap, Page, MadviseAdvice.DontNeed);
        long e1 = os.AccessEpoch;
        os.Mprotect(m, Page, Protection.Read);
        long e2 = os.AccessEpoch;
        os.Munmap(m + Page, Page);
        long e3 = os.AccessEpoch;
        os.Brk(heap + Page);
        long e4 = os.AccessEpoch;
        Assert.True(e0 < e1 && e1 < e2 && e2 < e3 && e3 < e4);
    }

    [Fact]
    public void Window_ResidentHeapPages_ReadWriteSameAsOs()
    {
        using var os = new SimulatedOs();
        ulong heap = os.InitialBreak;
        os.Brk(heap + (8 * Page));
        var w = new DirectAccessWindow(os);
        for (ulong i = 0; i < 8 * Page; i += 8)
        {
            w.WriteUInt64(heap + i, i * 3);
        }

        Assert.True(w.IsDirect(heap + 64));
        for (ulong i = 0; i < 8 * Page; i += 8)
        {
            Assert.Equal(i * 3, w.ReadUInt64(heap + i));
            Assert.Equal(i * 3, os.ReadUInt64(heap + i));
        }
    }

    [Fact]
    public void Window_FirstTouch_StillFaultsExactlyOncePerPage()
    {
        using var os = new SimulatedOs();
        ulong heap = os.InitialBreak;
        os.Brk(heap + (16 * Page));
        var w = new DirectAccessWindow(os);
        w.WriteUInt64(heap, 1);
        w.WriteUInt64(heap + 8, 2);
        Assert.Equal(1, os.GetStatistics().PageFaults);

        // A page never touched is outside the window: reading it is a fault, counted in RSS.
        Assert.False(w.IsDirect(heap + (5 * Page)));
        Assert.Equal(0UL, w.ReadUInt64(heap + (5 * Page)));
        Assert.Equal(2, os.GetStatistics().PageFaults);
        Assert.Equal(2UL * Page, os.GetStatistics().RssBytes);
        Assert.Equal(1UL, w.ReadUInt64(heap));
        Assert.Equal(2, os.GetStatistics().PageFaults);
    }

    [Fact]
    public void Window_PageDroppedByMadvise_FaultsAgainAndReadsZero()
    {
        using var os = new SimulatedOs();
        ulong heap = os.InitialBreak;
        os.Brk(heap + (4 * Page));
        var w = new DirectAccessWindow(os);
        w.WriteUInt64(heap, 7);
        w.WriteUInt64(heap + Page, 8);
        Assert.True(w.IsDirect(heap + Page));
        os.Madvise(heap + Page, Page, MadviseAdvice.DontNeed);
        Assert.False(w.IsDirect(heap + Page));
        long faults = os.GetStatistics().PageFaults;
        Assert.Equal(0UL, w.ReadUInt64(heap + Page));
        Assert.Equal(faults + 1, os.GetStatistics().PageFaults);
        Assert.Equal(7UL, w.ReadUInt64(heap));
    }

    [Fact]
    public void Window_LossElsewhere_KeepsWindow()
    {
        using var os = new SimulatedOs();
        ulong heap = os.InitialBreak;
        os.Brk(heap + (4 * Page));
        var w = new DirectAccessWindow(os);
        w.WriteUInt64(heap, 7);
        ulong m = os.Mmap(0, Page, Protection.ReadWrite, MapFlags.PrivateAnonymous).Value;
        os.Munmap(m, Page);
        Assert.Equal(7UL, w.ReadUInt64(heap + 8 - 8));
        Assert.True(w.IsDirect(heap));
    }

    [Fact]
    public void Window_BrkShrink_AccessBeyondBreakFaults()
    {
        using var os = new SimulatedOs();
        ulong heap = os.InitialBreak;
        os.Brk(heap + (4 * Page));
        var w = new DirectAccessWindow(os);
        for (ulong i = 0; i < 4; i++)
        {
            w.WriteUInt64(heap + (i * Page), i + 1);
        }

        os.Brk(heap + Page);
        Assert.Throws<SegmentationFaultException>(() => w.ReadUInt64(heap + (2 * Page)));
        Assert.Throws<SegmentationFaultException>(() => w.WriteUInt64(heap + (3 * Page), 0));
        Assert.Equal(1UL, w.ReadUInt64(heap));
        Assert.Equal((ulong)Page, os.GetStatistics().RssBytes);
    }

    [Fact]
    public void Window_Mprotect_ReadOnlyPageRejectsWrites()
    {
        using var os = new SimulatedOs();
        ulong heap = os.InitialBreak;
        os.Brk(heap + (2 * Page));
        var w = new DirectAccessWindow(os);
        w.WriteUInt64(heap, 5);
        w.WriteUInt64(heap + Page, 6);
        Assert.True(w.IsDirect(heap));
        os.Mprotect(heap, Page, Protection.Read);
        Assert.Throws<SegmentationFaultException>(() => w.WriteUInt64(heap, 1));
        Assert.Equal(5UL, w.ReadUInt64(heap));
        Assert.False(w.IsDirect(heap));
        Assert.Equal(6UL, w.ReadUInt64(heap + Page));
        Assert.True(w.IsDirect(heap + Page));
    }

    [Fact]
    public void Window_HoleOfUntouchedPages_PagesOnBothSidesDirect()
    {
        using var os = new SimulatedOs();
        ulong heap = os.InitialBreak;
        os.Brk(heap + (64 * Page));
        var w = new DirectAccessWindow(os);
        w.WriteUInt64(heap, 1);
        w.WriteUInt64(heap + (40 * Page), 2);
        Assert.True(w.IsDirect(heap));
        Assert.True(w.IsDirect(heap + (40 * Page)));
        Assert.False(w.IsDirect(heap + (20 * Page)));
        Assert.Equal(2L, os.GetStatistics().PageFaults);
    }

    [Fact]
    public void Window_MmapWindowPages_DirectUntilUnmapped()
    {
        using var os = new SimulatedOs();
        ulong m = os.Mmap(0, 2 * Page, Protection.ReadWrite, MapFlags.PrivateAnonymous).Value;
        var w = new DirectAccessWindow(os);
        w.WriteUInt64(m, 9);
        Assert.True(w.IsDirect(m));
        Assert.False(w.IsDirect(m + Page));
        Assert.Equal(9UL, w.ReadUInt64(m));
        Assert.Equal(9UL, os.ReadUInt64(m));
        Assert.Equal(1, os.GetStatistics().PageFaults);
        os.Munmap(m, Page);
        Assert.False(w.IsDirect(m));
        Assert.Throws<SegmentationFaultException>(() => w.ReadUInt64(m));
    }

    [Fact]
    public void Window_OwnBackedMapping_GoesThroughTheProcess()
    {
        using var os = new SimulatedOs();
        ulong at = 1UL << 32; // below both reservations: a host mapping of its own
        Assert.True(os.Mmap(at, Page, Protection.ReadWrite, MapFlags.PrivateAnonymous | MapFlags.Fixed).Succeeded);
        var w = new DirectAccessWindow(os);
        w.WriteUInt64(at, 3);
        Assert.False(w.IsDirect(at));
        Assert.Equal(3UL, w.ReadUInt64(at));
    }

    [Fact]
    public void Window_ManyLossesElsewhere_StillCorrect()
    {
        using var os = new SimulatedOs();
        ulong heap = os.InitialBreak;
        os.Brk(heap + (2 * Page));
        var w = new DirectAccessWindow(os);
        w.WriteUInt64(heap, 11);
        for (int i = 0; i < 40; i++)
        {
            ulong m = os.Mmap(0, Page, Protection.ReadWrite, MapFlags.PrivateAnonymous).Value;
            os.Munmap(m, Page);
        }

        Assert.Equal(11UL, w.ReadUInt64(heap));
        Assert.True(w.IsDirect(heap));
    }

    [Fact]
    public void Window_TwoWindowsOnOneProcess_BothLoseDroppedPages()
    {
        using var os = new SimulatedOs();
        ulong heap = os.InitialBreak;
        os.Brk(heap + (2 * Page));
        var a = new DirectAccessWindow(os);
        var b = new DirectAccessWindow(os);
        a.WriteUInt64(heap, 1);
        Assert.Equal(1UL, b.ReadUInt64(heap));
        Assert.True(a.IsDirect(heap) && b.IsDirect(heap));
        os.Madvise(heap, Page, MadviseAdvice.DontNeed);
        Assert.False(a.IsDirect(heap));
        Assert.False(b.IsDirect(heap));
        Assert.Equal(0UL, b.ReadUInt64(heap));
    }

    [Fact]
    public void Window_FixedMappingInsideHeapReservation_NeverDirect()
    {
        using var os = new SimulatedOs();
        ulong at = os.InitialBreak + (1UL << 30);
        Assert.True(os.Mmap(at, Page, Protection.ReadWrite, MapFlags.PrivateAnonymous | MapFlags.Fixed).Succeeded);
        var w = new DirectAccessWindow(os);
        w.WriteUInt64(at, 4);
        Assert.False(w.IsDirect(at));
        Assert.Equal(4UL, w.ReadUInt64(at));
        Assert.Equal(4UL, os.ReadUInt64(at));
    }

    [Fact]
    public void Window_AfterDispose_Throws()
    {
        var os = new SimulatedOs();
        ulong heap = os.InitialBreak;
        os.Brk(heap + Page);
        var w = new DirectAccessWindow(os);
        w.WriteUInt64(heap, 1);
        os.Dispose();
        Assert.False(w.IsDirect(heap));
        Assert.Throws<ObjectDisposedException>(() => w.ReadUInt64(heap));
    }

    [Fact]
    public void Window_UnalignedAndCrossingAccess_MatchesOs()
    {
        using var os = new SimulatedOs();
        ulong heap = os.InitialBreak;
        os.Brk(heap + (2 * Page));
        var w = new DirectAccessWindow(os);
        w.WriteUInt64(heap, 0);
        w.WriteUInt64(heap + Page, 0);
        w.WriteUInt64(heap + Page - 3, 0x1122334455667788);
        Assert.Equal(0x1122334455667788UL, os.ReadUInt64(heap + Page - 3));
        Assert.Equal(0x1122334455667788UL, w.ReadUInt64(heap + Page - 3));
    }

    [Property(MaxTest = 50)]
    [Trait("Category", "Property")]
    public void Window_RandomOperations_AgreeWithOsAndCountTheSameFaults(int seed)
    {
        var rng = new Random(seed);
        using var plain = new SimulatedOs();
        using var viaWindow = new SimulatedOs();
        var w = new DirectAccessWindow(viaWindow);
        ulong heap = plain.InitialBreak;
        const int Pages = 24;
        plain.Brk(heap + (Pages * Page));
        viaWindow.Brk(heap + (Pages * Page));
        for (int step = 0; step < 400; step++)
        {
            ulong address = heap + ((ulong)rng.Next(Pages * Page / 8) * 8);
            bool heapFirst = rng.Next(2) == 0;
            switch (rng.Next(10))
            {
                case 0:
                    ulong page = heap + ((ulong)rng.Next(Pages) * Page);
                    plain.Madvise(page, Page, MadviseAdvice.DontNeed);
                    viaWindow.Madvise(page, Page, MadviseAdvice.DontNeed);
                    break;
                case 1:
                    ulong end = heap + ((ulong)rng.Next(1, Pages + 1) * Page);
                    plain.Brk(end);
                    viaWindow.Brk(end);
                    break;
                case < 6:
                    ulong value = (ulong)rng.NextInt64();
                    Assert.Equal(
                        Try(() => { plain.WriteUInt64(address, value); return 0UL; }),
                        Try(() => { if (heapFirst) { w.WriteHeapUInt64(address, value); } else { w.WriteUInt64(address, value); } return 0UL; }));
                    break;
                default:
                    Assert.Equal(Try(() => plain.ReadUInt64(address)), Try(() => heapFirst ? w.ReadHeapUInt64(address) : w.ReadUInt64(address)));
                    break;
            }

            Assert.Equal(plain.GetStatistics().PageFaults, viaWindow.GetStatistics().PageFaults);
            Assert.Equal(plain.GetStatistics().RssBytes, viaWindow.GetStatistics().RssBytes);
        }
    }

    [Fact]
    public void Window_MmapRun_CoversTouchedPagesNextToEachOtherAndKeepsThePartBelowALoss()
    {
        using var os = new SimulatedOs();
        ulong m = os.Mmap(0, 8 * Page, Protection.ReadWrite, MapFlags.PrivateAnonymous).Value;
        var w = new DirectAccessWindow(os);
        foreach (int i in new[] { 3, 0, 7, 1, 2, 6, 4, 5 })
        {
            w.WriteMappedUInt64(m + ((ulong)i * Page) + 16, (ulong)i + 100);
        }

        Assert.Equal(8, os.GetStatistics().PageFaults);
        for (int i = 0; i < 8; i++)
        {
            Assert.True(w.IsInRun(m + ((ulong)i * Page)), $"page {i}");
            Assert.Equal((ulong)i + 100, w.ReadMappedUInt64(m + ((ulong)i * Page) + 16));
            Assert.Equal((ulong)i + 100, w.ReadUInt64(m + ((ulong)i * Page) + 16));
        }

        Assert.True(os.Munmap(m + (5 * Page), Page).Succeeded);
        Assert.True(w.IsInRun(m + (4 * Page)));
        Assert.False(w.IsInRun(m + (5 * Page)));
        Assert.False(w.IsInRun(m + (6 * Page)));
        Assert.True(w.IsDirect(m + (6 * Page)));
        Assert.Throws<SegmentationFaultException>(() => w.ReadMappedUInt64(m + (5 * Page)));
        Assert.Throws<SegmentationFaultException>(() => w.WriteUInt64(m + (5 * Page), 1));
        Assert.Equal(106UL, w.ReadMappedUInt64(m + (6 * Page) + 16));
        Assert.Equal(8, os.GetStatistics().PageFaults);
    }

    [Fact]
    public void Window_MmapRun_HoleOfUntouchedPages_FaultsOnFirstTouchOnly()
    {
        using var os = new SimulatedOs();
        ulong m = os.Mmap(0, 6 * Page, Protection.ReadWrite, MapFlags.PrivateAnonymous).Value;
        var w = new DirectAccessWindow(os);
        w.WriteMappedUInt64(m, 1);
        w.WriteMappedUInt64(m + (2 * Page), 2);
        Assert.False(w.IsDirect(m + Page));
        Assert.Equal(2, os.GetStatistics().PageFaults);
        Assert.Equal(0UL, w.ReadMappedUInt64(m + Page + 8));
        Assert.Equal(3, os.GetStatistics().PageFaults);
        Assert.True(w.IsInRun(m) && w.IsInRun(m + Page) && w.IsInRun(m + (2 * Page)));
        Assert.Equal(3UL * Page, os.GetStatistics().RssBytes);
    }

    [Fact]
    public void Window_MappedAccessToHeapAndUnalignedWords_MatchesOs()
    {
        using var os = new SimulatedOs();
        ulong heap = os.InitialBreak;
        os.Brk(heap + (2 * Page));
        ulong m = os.Mmap(0, Page, Protection.ReadWrite, MapFlags.PrivateAnonymous).Value;
        var w = new DirectAccessWindow(os);
        w.WriteMappedUInt64(heap + 8, 5);
        Assert.Equal(5UL, os.ReadUInt64(heap + 8));
        Assert.Equal(5UL, w.ReadMappedUInt64(heap + 8));
        w.WriteMappedUInt64(m + 8, 6);
        w.WriteMappedUInt64(m + 3, 0x1122334455667788UL);
        Assert.Equal(0x1122334455667788UL, os.ReadUInt64(m + 3));
        Assert.Equal(0x1122334455667788UL, w.ReadMappedUInt64(m + 3));
        Assert.Throws<SegmentationFaultException>(() => w.ReadMappedUInt64(m + Page - 3));
    }

    [Property(MaxTest = 50)]
    [Trait("Category", "Property")]
    public void Window_RandomMmapOperations_AgreeWithOsAndCountTheSameFaults(int seed)
    {
        var rng = new Random(seed);
        using var plain = new SimulatedOs();
        using var viaWindow = new SimulatedOs();
        var w = new DirectAccessWindow(viaWindow);
        const int Pages = 24;
        ulong m = plain.Mmap(0, Pages * Page, Protection.ReadWrite, MapFlags.PrivateAnonymous).Value;
        Assert.Equal(m, viaWindow.Mmap(0, Pages * Page, Protection.ReadWrite, MapFlags.PrivateAnonymous).Value);
        for (int step = 0; step < 400; step++)
        {
            ulong address = m + ((ulong)rng.Next(Pages * Page / 8) * 8);
            ulong page = m + ((ulong)rng.Next(Pages) * Page);
            int accessor = rng.Next(3);
            bool mapped = accessor == 1;
            switch (rng.Next(12))
            {
                case 0:
                    plain.Madvise(page, Page, MadviseAdvice.DontNeed);
                    viaWindow.Madvise(page, Page, MadviseAdvice.DontNeed);
                    break;
                case 1:
                    plain.Munmap(page, Page);
                    viaWindow.Munmap(page, Page);
                    break;
                case 2:
                    plain.Mmap(page, Page, Protection.ReadWrite, MapFlags.PrivateAnonymous | MapFlags.Fixed);
                    viaWindow.Mmap(page, Page, Protection.ReadWrite, MapFlags.PrivateAnonymous | MapFlags.Fixed);
                    break;
                case 3:
                    Protection protection = rng.Next(2) == 0 ? Protection.Read : Protection.ReadWrite;
                    plain.Mprotect(page, Page, protection);
                    viaWindow.Mprotect(page, Page, protection);
                    break;
                case < 8:
                    ulong value = (ulong)rng.NextInt64();
                    Assert.Equal(
                        Try(() => { plain.WriteUInt64(address, value); return 0UL; }),
                        Try(() => { Write(w, accessor, address, value); return 0UL; }));
                    break;
                default:
                    Assert.Equal(Try(() => plain.ReadUInt64(address)), Try(() => Read(w, accessor, address)));
                    break;
            }

            Assert.Equal(plain.GetStatistics().PageFaults, viaWindow.GetStatistics().PageFaults);
            Assert.Equal(plain.GetStatistics().RssBytes, viaWindow.GetStatistics().RssBytes);
        }
    }

    [Fact]
    public void Window_HeapFirstAccessors_MatchOsAcrossHolesUnalignedWordsAndMappings()
    {
        using var os = new SimulatedOs();
        ulong heap = os.InitialBreak;
        os.Brk(heap + (8 * Page));
        var w = new DirectAccessWindow(os);

        // Pages 0 and 5 touched, the ones between never: each fault is counted once, the hole still faults on first touch.
        w.WriteHeapUInt64(heap, 1);
        w.WriteHeapUInt64(heap + (5 * Page), 2);
        long faults = os.GetStatistics().PageFaults;
        Assert.Equal(1UL, w.ReadHeapUInt64(heap));
        Assert.Equal(2UL, w.ReadHeapUInt64(heap + (5 * Page)));
        Assert.Equal(faults, os.GetStatistics().PageFaults);
        Assert.Equal(0UL, w.ReadHeapUInt64(heap + (3 * Page)));
        Assert.Equal(faults + 1, os.GetStatistics().PageFaults);

        // An unaligned word crossing into an untouched page goes through the process.
        w.WriteHeapUInt64(heap + (6 * Page) - 3, 0x1122334455667788);
        Assert.Equal(0x1122334455667788UL, os.ReadUInt64(heap + (6 * Page) - 3));
        Assert.Equal(0x1122334455667788UL, w.ReadHeapUInt64(heap + (6 * Page) - 3));

        // Beyond the break, and a page dropped by the break shrinking: SIGSEGV exactly as the process.
        Assert.Throws<SegmentationFaultException>(() => w.ReadHeapUInt64(heap + (8 * Page)));
        os.Brk(heap + (5 * Page));
        Assert.Throws<SegmentationFaultException>(() => w.WriteHeapUInt64(heap + (5 * Page), 3));

        // Words of the mmap window are served too (out of line), and a protected page rejects writes.
        ulong m = os.Mmap(0, 2 * Page, Protection.ReadWrite, MapFlags.PrivateAnonymous).Value;
        w.WriteHeapUInt64(m + 8, 9);
        Assert.Equal(9UL, w.ReadHeapUInt64(m + 8));
        os.Mprotect(m, Page, Protection.Read);
        Assert.Throws<SegmentationFaultException>(() => w.WriteHeapUInt64(m + 8, 10));
        Assert.Equal(9UL, w.ReadHeapUInt64(m + 8));
    }

    [Fact]
    public void HeapHostOf_OnlyForAlignedRangesInsideOneDirectHeapPage()
    {
        using var os = new SimulatedOs();
        ulong heap = os.InitialBreak;
        os.Brk(heap + (3 * Page));
        var w = new DirectAccessWindow(os);
        Assert.Equal(0, w.HeapHostOf(heap + 16, 24));    // never touched: the first touch must go through the process
        w.WriteHeapUInt64(heap + 16, 7);
        nint host = w.HeapHostOf(heap + 16, 24);
        Assert.NotEqual(0, host);
        Assert.Equal(7L, System.Runtime.InteropServices.Marshal.ReadInt64(host));
        System.Runtime.InteropServices.Marshal.WriteInt64(host + 8, 8);

        Assert.Equal(8UL, os.ReadUInt64(heap + 24));
        Assert.Equal(0, w.HeapHostOf(heap + 12, 8));     // unaligned
        Assert.Equal(0, w.HeapHostOf(heap + Page - 8, 16)); // runs into the next page
        w.WriteHeapUInt64(heap + Page, 1);
        Assert.Equal(0, w.HeapHostOf(heap + Page - 8, 16)); // even when that page is direct too
        Assert.True(os.Mprotect(heap, Page, Protection.Read).Succeeded);
        Assert.Equal(0, w.HeapHostOf(heap + 16, 24));    // lost its rights
        ulong m = os.Mmap(0, Page, Protection.ReadWrite, MapFlags.PrivateAnonymous).Value;
        w.WriteHeapUInt64(m, 1);
        Assert.Equal(0, w.HeapHostOf(m, 8));             // not the heap
    }

    [Fact]
    public void FillHeap_DirectPagesAndOthers_SameBytesFaultsAndErrorsAsTheProcess()
    {
        using var plain = new SimulatedOs();
        using var viaWindow = new SimulatedOs();
        var w = new DirectAccessWindow(viaWindow);
        ulong heap = plain.InitialBreak;
        plain.Brk(heap + (4 * Page));
        viaWindow.Brk(heap + (4 * Page));
        plain.WriteUInt64(heap, 1);
        w.WriteHeapUInt64(heap, 1);                      // page 0 direct, the others untouched

        foreach ((ulong at, ulong length) in new[] { (heap + 8, 300UL), (heap + Page - 100, 300UL), (heap + (2 * Page) + 5, 50UL), (heap + 16, 0UL) })
        {
            plain.Fill(at, length, 0xab);
            w.FillHeap(at, length, 0xab);
            Assert.Equal(plain.GetStatistics().PageFaults, viaWindow.GetStatistics().PageFaults);
            Assert.Equal(plain.GetStatistics().RssBytes, viaWindow.GetStatistics().RssBytes);
        }

        var expected = new byte[4 * Page];
        var actual = new byte[4 * Page];
        plain.Read(heap, expected);
        viaWindow.Read(heap, actual);
        Assert.Equal(expected, actual);

        // Past the break and on a read-only page: the process's fault, nothing written.
        Assert.Throws<SegmentationFaultException>(() => w.FillHeap(heap + (4 * Page) - 8, 16, 1));
        Assert.True(viaWindow.Mprotect(heap, Page, Protection.Read).Succeeded);
        Assert.Throws<SegmentationFaultException>(() => w.FillHeap(heap + 8, 8, 1));
        Assert.Equal(0xababababababababUL, viaWindow.ReadUInt64(heap + 8));
    }

    [Fact]
    public void CopyHeap_DirectPagesOverlapsAndOthers_SameBytesFaultsAndErrorsAsTheProcess()
    {
        using var plain = new SimulatedOs();
        using var viaWindow = new SimulatedOs();
        var w = new DirectAccessWindow(viaWindow);
        ulong heap = plain.InitialBreak;
        plain.Brk(heap + (5 * Page));
        viaWindow.Brk(heap + (5 * Page));
        var pattern = new byte[2 * Page];
        for (int i = 0; i < pattern.Length; i++)
        {
            pattern[i] = (byte)((i * 7) + 3);
        }

        plain.Write(heap, pattern);
        viaWindow.Write(heap, pattern);
        w.WriteHeapUInt64(heap, 1);
        w.WriteHeapUInt64(heap + Page, 2);                // pages 0 and 1 direct, 2 to 4 untouched
        plain.WriteUInt64(heap, 1);
        plain.WriteUInt64(heap + Page, 2);

        (ulong To, ulong From, ulong Length)[] copies =
        [
            (heap + 512, heap + 16, 300),                 // both direct, one page
            (heap + 40, heap + 16, 600),                  // overlapping, destination above the source
            (heap + 16, heap + 200, 600),                 // overlapping, destination below the source
            (heap + Page - 100, heap + 8, 1000),          // destination spans two direct pages
            (heap + (2 * Page) + 5, heap + 64, 500),      // destination untouched: the process's first touch
            (heap + 128, heap + (3 * Page) + 8, 64),      // source untouched: a read fault in the process
            (heap + 8, heap + 16, 0),
        ];
        foreach ((ulong to, ulong from, ulong length) in copies)
        {
            plain.Copy(to, from, length);
            w.CopyHeap(to, from, length);
            Assert.Equal(plain.GetStatistics().PageFaults, viaWindow.GetStatistics().PageFaults);
            Assert.Equal(plain.GetStatistics().RssBytes, viaWindow.GetStatistics().RssBytes);
        }

        var expected = new byte[5 * Page];
        var actual = new byte[5 * Page];
        plain.Read(heap, expected);
        viaWindow.Read(heap, actual);
        Assert.Equal(expected, actual);

        // Past the break and onto a read-only page: the process's fault, nothing written.
        Assert.Throws<SegmentationFaultException>(() => w.CopyHeap(heap + (5 * Page) - 8, heap, 16));
        ulong before = viaWindow.ReadUInt64(heap + 8);
        Assert.True(viaWindow.Mprotect(heap, Page, Protection.Read).Succeeded);
        Assert.Throws<SegmentationFaultException>(() => w.CopyHeap(heap + 8, heap + Page, 8));
        Assert.Equal(before, viaWindow.ReadUInt64(heap + 8));
    }

    private static ulong Read(DirectAccessWindow w, int accessor, ulong address) => accessor switch
    {
        0 => w.ReadUInt64(address),
        1 => w.ReadMappedUInt64(address),
        _ => w.ReadHeapUInt64(address),
    };

    private static void Write(DirectAccessWindow w, int accessor, ulong address, ulong value)
    {
        switch (accessor)
        {
            case 0:
                w.WriteUInt64(address, value);
                break;
            case 1:
                w.WriteMappedUInt64(address, value);
                break;
            default:
                w.WriteHeapUInt64(address, value);
                break;
        }
    }

    private static string Try(Func<ulong> action)
    {
        try
        {
            return action().ToString("x");
        }
        catch (SegmentationFaultException e)
        {
            return "SIGSEGV " + e.Address.ToString("x");
        }
    }
}
