// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Os.Tests.Unit;

public sealed class RecyclingTests
{
    private const int Page = 4096;

    [Theory]
    [InlineData(8)]
    [InlineData(20000)] // more touched pages than a disposed process recycles
    public void NewProcess_AfterDisposeOfTouchedProcess_StartsZeroAndUntouched(int pages)
    {
        ulong heap;
        ulong mapped;
        ulong bytes = (ulong)pages * Page;
        using (var first = new SimulatedOs())
        {
            heap = first.InitialBreak;
            first.Brk(heap + bytes);
            mapped = first.Mmap(0, bytes, Protection.ReadWrite, MapFlags.PrivateAnonymous).Value;
            for (ulong off = 0; off < bytes; off += Page)
            {
                first.WriteUInt64(heap + off + 8, 0xdead_beef);
                first.WriteUInt64(mapped + off + 16, 0xfeed_face);
            }

            // A protected page and a mapping with host memory of its own are zeroed or released as well.
            first.Mprotect(mapped, Page, Protection.None);
        }

        for (int round = 0; round < 3; round++)
        {
            using var os = new SimulatedOs();
            Assert.Equal(0UL, os.GetStatistics().RssBytes);
            os.Brk(heap + bytes);
            Assert.Equal(mapped, os.Mmap(0, bytes, Protection.ReadWrite, MapFlags.PrivateAnonymous).Value);
            for (ulong off = 0; off < bytes; off += Page * 97)
            {
                Assert.Equal(0UL, os.ReadUInt64(heap + off + 8));
                Assert.Equal(0UL, os.ReadUInt64(mapped + off + 16));
            }

            var stats = os.GetStatistics();
            long touched = 2 * ((pages + 96) / 97);
            Assert.Equal(touched, stats.PageFaults);
            Assert.Equal((ulong)touched * Page, stats.RssBytes);
            os.WriteUInt64(heap, 1);
        }
    }
}
