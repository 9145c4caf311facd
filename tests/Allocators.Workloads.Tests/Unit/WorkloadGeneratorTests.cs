// Copyright (c) Allocators contributors. MIT License.

using System.Security.Cryptography;
using Allocators.Workloads.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Allocators.Workloads.Tests.Unit;

public sealed class WorkloadGeneratorTests(ITestOutputHelper output)
{
    private const double Scale = 0.05;

    public static TheoryData<string> Names => [.. WorkloadGenerator.Workloads.Select(w => w.Name)];

    private static byte[] Generate(string name, ulong seed, double scale = Scale)
    {
        var stream = new MemoryStream();
        using (var writer = new TraceWriter(stream, leaveOpen: true))
        {
            WorkloadGenerator.Generate(name, seed, scale, writer);
        }

        return stream.ToArray();
    }

    [Fact]
    public void Workloads_ListsTheEightBenchmarks()
    {
        Assert.Equal(
            ["glibc-simple", "glibc-thread", "larson", "xmalloc", "mstress", "alloc-test", "malloc-large", "sh6bench"],
            WorkloadGenerator.Workloads.Select(w => w.Name));
        Assert.All(WorkloadGenerator.Workloads, w => Assert.True(w.Description.Length > 40));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Generate_SameSeed_SameTrace(string name)
    {
        Assert.Equal(SHA256.HashData(Generate(name, 7)), SHA256.HashData(Generate(name, 7)));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Generate_DifferentSeed_DifferentTrace(string name)
    {
        if (name == "glibc-simple")
        {
            // The glibc benchtest has no randomness: every seed gives the same trace.
            Assert.Equal(SHA256.HashData(Generate(name, 7)), SHA256.HashData(Generate(name, 8)));
            return;
        }

        Assert.NotEqual(SHA256.HashData(Generate(name, 7)), SHA256.HashData(Generate(name, 8)));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Generate_TraceIsValidAndFreesEverything(string name)
    {
        byte[] bytes = Generate(name, 42);
        TraceCheckResult check = TraceChecker.Check(new TraceReader(new MemoryStream(bytes), name));
        output.WriteLine($"{name} at scale {Scale}: {check.Calls} calls, {check.Threads} tids, peak live {check.PeakLiveBytes} B");
        Assert.True(check.IsConsistent, string.Join("\n", check.FirstProblems));
        Assert.Equal(0, check.LiveAtEnd);
        Assert.True(check.Calls > 100);
        WorkloadInfo info = WorkloadGenerator.Workloads.Single(w => w.Name == name);
        if (info.Threads > 1)
        {
            Assert.True(check.Threads >= info.Threads, $"{check.Threads} tids");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Generate_ReplaysThroughGlibc(string name)
    {
        byte[] bytes = Generate(name, 3);
        var replayer = new Replayer(TestStrategies.All["glibc"], new ReplayOptions { Drain = true });
        ReplayResult result = replayer.Replay(new TraceReader(new MemoryStream(bytes), name));
        Assert.Equal(0, result.Statistics.LiveBlocks);
        Assert.True(result.PeakLiveBytes > 0);
    }

    [Fact]
    public void Generate_LargerScale_MoreCalls()
    {
        long small = WorkloadGenerator.Generate("larson", 1, 0.02, TextWriter.Null);
        long large = WorkloadGenerator.Generate("larson", 1, 0.1, TextWriter.Null);
        Assert.True(large > 3 * small, $"{small} vs {large}");
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Generate_UnknownNameOrBadScale_Throws()
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => WorkloadGenerator.Generate("nope", 1, 1, TextWriter.Null));
        Assert.Contains("larson", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => WorkloadGenerator.Generate("larson", 1, 0, TextWriter.Null));
        Assert.Throws<ArgumentException>(() => WorkloadGenerator.Generate("larson", 1, double.NaN, TextWriter.Null));
    }

    [Fact]
    public void GenerateToFile_Binary_ReadsBack()
    {
        string dir = TestPaths.NewTempDirectory();
        string path = Path.Combine(dir, "w.bin.zst");
        long calls = WorkloadGenerator.GenerateToFile("sh6bench", 5, Scale, path);
        Assert.Equal(calls, TraceChecker.Check(path).Calls);
        Directory.Delete(dir, true);
    }
}
