// Copyright (c) Allocators contributors. MIT License.

using Allocators.Workloads.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Allocators.Workloads.Tests.Differential;

public sealed class SampleTraceTests(ITestOutputHelper output)
{
    /// <summary>Samples small enough for every test run (the multi-million-call one is for benchmarks and Stress runs).</summary>
    public static TheoryData<string> Samples =>
        [.. TestPaths.SampleTraces.Select(f => Path.GetFileName(f)!).Where(n => !n.Contains("-7m", StringComparison.Ordinal))];

    public static TheoryData<string, string> SamplesByStrategy
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (string sample in Samples)
            {
                // The mmap strategy pays two system calls per block: keep it to the smaller samples.
                bool large = TraceChecker.Check(PathOf(sample)).Calls > 50_000;
                foreach (string strategy in TestStrategies.All.Keys.Where(s => !large || s != "mmap"))
                {
                    data.Add(sample, strategy);
                }
            }

            return data;
        }
    }

    private static string PathOf(string sample) => Path.Combine(TestPaths.SamplesDirectory, sample);

    /// <summary>Issue 4: at least 8 real programs recorded here, several of them with 100 k calls or more.</summary>
    [Fact]
    public void Samples_AtLeastEightPrograms_SeveralWith100kCalls()
    {
        string[] programs = [.. TestPaths.SampleTraces.Select(f => Path.GetFileName(f).Split('-', '.')[0]).Distinct()];
        Assert.True(programs.Length >= 8, string.Join(", ", programs));
        int large = TestPaths.SampleTraces.Count(f => !f.Contains("-7m", StringComparison.Ordinal) && TraceChecker.Check(f).Calls >= 100_000);
        Assert.True(large >= 3, $"{large} samples of 100 k calls or more (the 7 M one not counted)");
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Sample_IsSelfConsistent(string sample)
    {
        TraceCheckResult result = TraceChecker.Check(PathOf(sample));
        output.WriteLine($"{sample}: {result.Calls} calls, {result.Threads} threads, live at end {result.LiveAtEnd}, peak {result.PeakLiveBytes} B");
        Assert.True(result.IsConsistent, string.Join("\n", result.FirstProblems));
        Assert.True(result.Calls > 100);
        using TraceReader reader = TraceReader.Open(PathOf(sample));
        _ = reader.ReadCalls().Count();
        Assert.NotNull(reader.HeapStart);
    }

    [Theory]
    [MemberData(nameof(SamplesByStrategy))]
    public void Sample_ReplaysAndDrains(string sample, string strategy)
    {
        var replayer = new Replayer(TestStrategies.All[strategy], new ReplayOptions { Drain = true, SampleInterval = 1000 });
        ReplayResult result = replayer.Replay(PathOf(sample));
        output.WriteLine($"{sample} via {strategy}: {result.Calls} calls, peak RSS {result.PeakRssBytes}, {result.Syscalls.Total} syscalls, {result.NsPerCall:F0} ns/call");
        Assert.Equal(0, result.SkippedCalls);
        Assert.Equal(0, result.Statistics.LiveBlocks);
        Assert.Equal(0UL, result.FinalLiveBytes);
        Assert.True(result.PeakLiveBytes > 0);
        Assert.True(result.PeakVszBytes >= result.PeakLiveBytes, "every live byte is mapped");
        Assert.NotEmpty(result.Samples);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Sample_GlibcStrategy_MatchesRecordedGlibc(string sample)
    {
        var verifier = new TraceVerifier(os => new Allocators.Strategies.Glibc.GlibcAllocator(os));
        VerificationResult result = verifier.Verify(PathOf(sample));
        output.WriteLine($"{sample}: {result.CallsMatched}/{result.Calls} matched");
        if (result.FirstDivergence is TraceDivergence d)
        {
            output.WriteLine($"line {d.Line} ({d.Kind}): {d.Description}: expected {d.Expected}, actual {d.Actual}");
            output.WriteLine("expected:\n  " + string.Join("\n  ", d.ExpectedContext));
            output.WriteLine("actual:\n  " + string.Join("\n  ", d.ActualContext));
        }

        // Every committed sample, the multi-threaded ones (xz-threads, python-threads with its thread exits) included,
        // replays exactly through the glibc strategy.
        Assert.True(result.IsExact, $"{sample}: line {result.FirstDivergence?.Line}: {result.FirstDivergence?.Description}");
        Assert.Equal(TraceChecker.Check(PathOf(sample)).Calls, result.CallsMatched);
    }

    /// <summary>Stress (not a benchmark): the 7-million-call sed recording, verified against the glibc strategy.</summary>
    [Fact]
    [Trait("Category", "Stress")]
    public void LargeSample_GlibcStrategyPrefixIsExact()
    {
        string path = Path.Combine(TestPaths.SamplesDirectory, "sed-substitute-7m.trace.zst");
        int scale = int.TryParse(Environment.GetEnvironmentVariable("ALLOCATORS_PROPERTY_SCALE"), out int s) && s > 0 ? s : 1;
        var options = new VerifyOptions { MaxCalls = 200_000L * scale };
        VerificationResult result = new TraceVerifier(TestStrategies.All["glibc"], options).Verify(path);
        output.WriteLine($"{result.CallsMatched}/{result.Calls} matched");
        Assert.Equal(Math.Min(options.MaxCalls, 7_045_230), result.Calls);
        Assert.True(result.IsExact, result.FirstDivergence?.Description + " at line " + result.FirstDivergence?.Line);
    }
}
