// Copyright (c) Allocators contributors. MIT License.

using Xunit.Abstractions;

namespace Allocators.Workloads.Tests.GlibcTraces;

public sealed class GlibcTraceExactnessTests
{
    private readonly ITestOutputHelper _output;

    public GlibcTraceExactnessTests(ITestOutputHelper output) => _output = output;

    private static readonly string[] s_names = ["sort-services.trace", "python-json.trace", "xz-compress.trace", "awk-wordcount.trace"];

    public static TheoryData<string> Traces()
    {
        var data = new TheoryData<string>();
        foreach (string name in s_names)
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Traces))]
    public void Replay_RecordedTrace_HasZeroDivergences(string name)
    {
        string dir = TraceDirectory.Find();
        string path = Path.Combine(dir, name);
        Assert.True(File.Exists(path), $"Trace {path} is missing from the shared trace directory {dir}.");

        GlibcTraceReplayer.Outcome outcome = GlibcTraceReplayer.Replay(path);

        _output.WriteLine($"{name}: {outcome.Matched}/{outcome.Calls} calls matched, {outcome.BrkChecks} break checks, {outcome.HdrChecks} hdr checks");
        Assert.True(outcome.Divergences == 0, $"{name}: {outcome.Matched} calls matched before the first divergence: {outcome.FirstDivergence}");
        Assert.Equal(outcome.Calls, outcome.Matched);
    }

    [Fact]
    public void TraceDirectory_EveryTraceFile_IsCovered()
    {
        string dir = TraceDirectory.Find();
        var known = s_names.ToHashSet();
        foreach (string file in Directory.GetFiles(dir, "*.trace"))
        {
            Assert.Contains(Path.GetFileName(file), known);
        }
    }
}
