// Copyright (c) Allocators contributors. MIT License.

using Allocators.Cli.Services;

namespace Allocators.Cli.Tests;

public sealed class ReplayWarmUpTests : IDisposable
{
    private readonly string _dir = TestFiles.NewScratchDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("glibc")]
    [InlineData("buddy")]
    [InlineData("slab")]
    [InlineData("mmap")]
    public void TryRun_EveryStrategy_ReplaysTheSyntheticTraceAndRendersItsReport(string strategy)
    {
        Assert.True(ReplayWarmUp.TryRun(strategy, [], touch: true));
    }

    [Fact]
    public void TryRun_UnknownStrategy_FailsQuietly()
    {
        Assert.False(ReplayWarmUp.TryRun("no-such-strategy", [], touch: false));
    }

    [Fact]
    public void For_SmallTrace_NoWarmUp()
    {
        string trace = SampleTrace.Write(_dir);
        Assert.Null(ReplayWarmUp.For(trace, "glibc", [], touch: true));
        Assert.Null(ReplayWarmUp.For(Path.Combine(_dir, "missing.trace"), "glibc", [], touch: true));
    }

    [Fact]
    public void StartOnProgress_LargeTrace_ForwardsEveryReport()
    {
        string trace = Path.Combine(_dir, "large.trace");
        using (var file = File.Create(trace))
        {
            file.SetLength(ReplayWarmUp.MinimumTraceBytes);
        }

        ReplayWarmUp? warmUp = ReplayWarmUp.For(trace, "glibc", [], touch: true);
        if (Environment.ProcessorCount < 2)
        {
            Assert.Null(warmUp);
            return;
        }

        Assert.NotNull(warmUp);
        var seen = new List<long>();
        Action<long> progress = warmUp.StartOnProgress(seen.Add);
        progress(65536);
        progress(131072);
        Assert.Equal([65536L, 131072L], seen);
        warmUp.StartOnProgress(null)(1);
    }
}
