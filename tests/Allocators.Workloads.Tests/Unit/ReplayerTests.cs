// Copyright (c) Allocators contributors. MIT License.

using Allocators.Workloads.Tests.Infrastructure;

namespace Allocators.Workloads.Tests.Unit;

public sealed class ReplayerTests
{
    private const string Small = """
        # heap-start 0x5582b80ae000
        4318 m 5 0x5582b80ae2a0 # hdr=0x21
        # brk 0x5582b80cf000
        4400 m 100 0x5582b80ae2c0
        4318 r 0x5582b80ae2a0 200 0x5582b80ae400
        4400 c 4 8 0x5582b80ae500
        4318 a 64 10 0x5582b80ae540
        4400 f 0x5582b80ae2c0
        4318 f (nil)
        4318 m 7 (nil)
        """;

    private static (ReplayResult Result, BumpAllocator Allocator) Replay(string text, ReplayOptions? options = null)
    {
        BumpAllocator? allocator = null;
        var replayer = new Replayer(os => allocator = new BumpAllocator(os), options);
        using TraceReader reader = TraceText.Reader(text);
        ReplayResult result = replayer.Replay(reader);
        return (result, allocator!);
    }

    [Fact]
    public void Replay_SmallTrace_CountsCallsAndLiveBytes()
    {
        (ReplayResult result, BumpAllocator allocator) = Replay(Small);
        Assert.Equal("bump", result.Strategy);
        Assert.Equal(8, result.Calls);
        Assert.Equal(0x5582b80ae000UL, result.HeapStart);
        Assert.Equal(0x5582b80ae000UL, allocator.Os.InitialBreak);
        Assert.Equal(200UL + 32 + 10, result.FinalLiveBytes);
        Assert.Equal(100UL + 200 + 32 + 10, result.PeakLiveBytes);
        Assert.Equal(2, result.Threads);
        Assert.True(result.Syscalls.Brk >= 1);
        Assert.True(result.PeakRssBytes > 0);
        Assert.True(result.NsPerCall > 0);
        Assert.Single(result.Samples);
        Assert.Equal(4, result.Statistics.LiveBlocks);
    }

    [Fact]
    public void Replay_RenumberThreads_FirstThreadIsMain()
    {
        (_, BumpAllocator allocator) = Replay(Small);
        Assert.Equal(0, allocator.Threads[0]);
        Assert.Equal(1, allocator.Threads[1]);
        Assert.Equal([0, 1], allocator.Threads.Distinct().Order());
        (_, BumpAllocator raw) = Replay(Small, new ReplayOptions { RenumberThreads = false });
        Assert.Equal([4318, 4400], raw.Threads.Distinct().Order());
    }

    [Fact]
    public void Replay_Drain_FreesEverythingLive()
    {
        (ReplayResult result, _) = Replay(Small, new ReplayOptions { Drain = true });
        Assert.Equal(4, result.DrainedBlocks);
        Assert.Equal(0, result.Statistics.LiveBlocks);
        Assert.Equal(0UL, result.FinalLiveBytes);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Replay_UnknownPointer_ThrowsWithLineNumber()
    {
        string text = Small + "\n4318 f 0x1234\n";
        ReplayException e = Assert.Throws<ReplayException>(() => Replay(text));
        Assert.Equal(11, e.Line);
        Assert.Contains("not live", e.Message, StringComparison.Ordinal);
        Assert.Contains("4318 f 0x1234", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Replay_DoubleFree_ThrowsWithLineNumber()
    {
        string text = Small + "\n4318 f 0x5582b80ae540\n4318 f 0x5582b80ae540\n";
        ReplayException e = Assert.Throws<ReplayException>(() => Replay(text));
        Assert.Equal(12, e.Line);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Replay_UnknownPointerWithSkip_SkipsAndCounts()
    {
        string text = Small + "\n4318 f 0x1234\n4318 r 0x5678 10 0x9990\n4318 f 0x9990\n";
        (ReplayResult result, _) = Replay(text, new ReplayOptions { SkipUnknown = true });
        Assert.Equal(3, result.SkippedCalls);
        Assert.Equal(8, result.Calls);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Replay_StrategyThrows_WrapsWithLineNumber()
    {
        var replayer = new Replayer(os => new ThrowingAllocator(new BumpAllocator(os)));
        using TraceReader reader = TraceText.Reader(Small);
        ReplayException e = Assert.Throws<ReplayException>(() => replayer.Replay(reader));
        Assert.Equal(8, e.Line);
        Assert.IsType<HeapCorruptionException>(e.InnerException);
    }

    [Fact]
    public void Replay_Output_WritesSimulatedTraceWithFacts()
    {
        var stream = new MemoryStream();
        using (var writer = new TraceWriter(stream, leaveOpen: true))
        {
            Replay(Small, new ReplayOptions { Output = writer, WriteHeaders = true });
        }

        stream.Position = 0;
        using var reader = new TraceReader(stream, "sim");
        List<TraceRecord> records = reader.ToList();
        Assert.Equal(TraceRecord.ForHeapStart(0x5582b80ae000, 1), records[0]);
        Assert.Equal(TraceRecordKind.Brk, records[2].Kind);
        List<TraceCall> calls = records.Where(r => r.Kind == TraceRecordKind.Call).Select(r => r.Call).ToList();
        Assert.Equal(8, calls.Count);
        Assert.All(calls.Where(c => c.Result != 0), c => Assert.True(c.HasUsable && c.HasHeader && c.Usable >= c.RequestedBytes));
        Assert.All(calls.Where(c => c.Result == 0), c => Assert.False(c.HasUsable));
        Assert.Equal(calls[0].Result, calls[2].Pointer);
        Assert.Equal(calls[1].Result, calls[5].Pointer);
        Assert.Equal(4400, calls[1].Tid);
        Assert.NotEqual(0UL, calls[7].Result); // the recorded malloc failed, the simulated one need not
        Assert.True(TraceChecker.Check(new TraceReader(new MemoryStream(stream.ToArray()), "sim")).IsConsistent);
    }

    [Fact]
    public void Replay_SampleInterval_SamplesOverCallIndex()
    {
        var sb = new System.Text.StringBuilder();
        for (int i = 1; i <= 1000; i++)
        {
            sb.Append("1 m 100 0x").Append((i * 256).ToString("x")).Append('\n');
        }

        (ReplayResult result, _) = Replay(sb.ToString(), new ReplayOptions { SampleInterval = 100 });
        Assert.Equal(10, result.Samples.Count);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i * 100), result.Samples.Select(s => s.Call));
        Assert.Equal(10_000UL, result.Samples[0].LiveRequestedBytes);
        Assert.True(result.Samples[^1].AllocatedBytes > result.Samples[0].AllocatedBytes);
        Assert.Null(result.HeapStart);
    }

    [Theory]
    [Trait("Category", "BadInput")]
    [InlineData(true)]
    [InlineData(false)]
    public void Replay_MalformedLineFarIntoTrace_ThrowsWithLineNumberAfterReplayingEarlierCalls(bool parallel)
    {
        var sb = new System.Text.StringBuilder();
        for (int i = 1; i <= 50_000; i++)
        {
            sb.Append("1 m 16 0x").Append((i * 32).ToString("x")).Append('\n');
            sb.Append("1 f 0x").Append((i * 32).ToString("x")).Append('\n');
        }

        sb.Append("1 m sixteen 0x10\n");
        for (int i = 0; i < 20_000; i++)
        {
            sb.Append("1 f (nil)\n");
        }

        BumpAllocator? allocator = null;
        var replayer = new Replayer(os => allocator = new BumpAllocator(os), new ReplayOptions { ParallelParse = parallel });
        TraceFormatException e = Assert.Throws<TraceFormatException>(() => replayer.Replay(TraceText.Reader(sb.ToString())));
        Assert.Equal(100_001, e.Line);
        Assert.Equal("1 m sixteen 0x10", e.LineText);
        Assert.Equal(50_000, allocator!.GetStatistics().Allocations);
    }

    [Fact]
    public void Replay_Cancelled_Throws()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        var replayer = new Replayer(os => new BumpAllocator(os), new ReplayOptions { CancellationToken = cancel.Token });
        Assert.ThrowsAny<OperationCanceledException>(() => replayer.Replay(TraceText.Reader(Small)));
    }

    private sealed class ThrowingAllocator(BumpAllocator inner) : IAllocator
    {
        public string Name => "throwing";

        public ISimulatedOs Os => inner.Os;

        public ulong Allocate(ulong size) => inner.Allocate(size);

        public ulong AllocateAligned(ulong alignment, ulong size) => inner.AllocateAligned(alignment, size);

        public ulong AllocateZeroed(ulong count, ulong size) => inner.AllocateZeroed(count, size);

        public HeapCheckResult CheckHeap(HeapCheckLevel level) => inner.CheckHeap(level);

        public void Free(ulong address)
        {
            if (address != 0)
            {
                throw new HeapCorruptionException(Name, "free", address, "T1", "refuses every free");
            }
        }

        public AllocatorStatistics GetStatistics() => inner.GetStatistics();

        public ulong Reallocate(ulong address, ulong size) => inner.Reallocate(address, size);

        public bool Trim(ulong pad) => false;

        public ulong UsableSize(ulong address) => inner.UsableSize(address);
    }
}
