// Copyright (c) Allocators contributors. MIT License.

using System.Text;
using Allocators.Workloads.Tests.Infrastructure;

namespace Allocators.Workloads.Tests.Unit;

public sealed class TraceVerifierTests
{
    /// <summary>Records what the bump allocator does with a workload, as a "real" trace the verifier can hold it to.</summary>
    private static string RecordBump(string text)
    {
        var stream = new MemoryStream();
        using (var writer = new TraceWriter(stream, leaveOpen: true))
        {
            var replayer = new Replayer(os => new BumpAllocator(os), new ReplayOptions { Output = writer, WriteHeaders = true });
            replayer.Replay(TraceText.Reader(text));
        }

        return Encoding.ASCII.GetString(stream.ToArray());
    }

    private const string Workload = """
        # heap-start 0x555555559000
        1 m 100 0x10
        1 m 5000 0x20
        1 c 10 10 0x30
        1 f 0x20
        1 r 0x10 300 0x40
        1 m 70000 0x50
        1 a 64 10 0x60
        1 f 0x40
        1 f 0x50
        """;

    private static VerificationResult Verify(string trace) =>
        new TraceVerifier(os => new BumpAllocator(os)).Verify(TraceText.Reader(trace));

    [Fact]
    public void Verify_OwnRecording_IsExact()
    {
        string recorded = RecordBump(Workload);
        VerificationResult result = Verify(recorded);
        Assert.True(result.IsExact, result.FirstDivergence?.Description);
        Assert.Equal(9, result.Calls);
        Assert.Equal(9, result.CallsMatched);
        Assert.Equal("bump", result.Strategy);
        Assert.Equal(0x555555559000UL, result.HeapStart);
    }

    [Fact]
    public void Verify_ChangedResult_DivergesAtThatLineWithContext()
    {
        string[] lines = RecordBump(Workload).Split('\n');
        int target = Array.FindIndex(lines, l => l.StartsWith("1 c ", StringComparison.Ordinal));
        TraceCall call = TraceText.ReadAll(lines[target]).Single().Call;
        lines[target] = (call with { Result = call.Result + 16 }).ToString();
        VerificationResult result = Verify(string.Join('\n', lines));

        Assert.False(result.IsExact);
        TraceDivergence d = result.FirstDivergence!;
        Assert.Equal(target + 1, d.Line);
        Assert.Equal(DivergenceKind.Result, d.Kind);
        Assert.Equal(2, result.CallsMatched);
        Assert.Equal(3, d.CallIndex);
        Assert.Contains("heap+0x", d.Expected, StringComparison.Ordinal);
        Assert.Equal(3, d.ExpectedContext.Count(l => !l.TrimStart().StartsWith('#')));
        Assert.Equal(d.ExpectedContext.Count, d.ActualContext.Count);
        Assert.EndsWith(lines[target], d.ExpectedContext[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_ChangedHeader_DivergesAsHeader()
    {
        string[] lines = RecordBump(Workload).Split('\n');
        int target = Array.FindIndex(lines, l => l.StartsWith("1 a ", StringComparison.Ordinal));
        lines[target] = lines[target].Replace("hdr=0x", "hdr=0x1", StringComparison.Ordinal);
        TraceDivergence d = Verify(string.Join('\n', lines)).FirstDivergence!;
        Assert.Equal(DivergenceKind.Header, d.Kind);
        Assert.Equal(target + 1, d.Line);
    }

    [Fact]
    public void Verify_MissingBrk_DivergesAsBreak()
    {
        List<string> lines = [.. RecordBump(Workload).Split('\n')];
        int brk = lines.FindLastIndex(l => l.StartsWith("# brk", StringComparison.Ordinal));
        lines.RemoveAt(brk);
        TraceDivergence d = Verify(string.Join('\n', lines)).FirstDivergence!;
        Assert.Equal(DivergenceKind.Break, d.Kind);
        Assert.Equal(brk, d.Line);
    }

    [Fact]
    public void Verify_NullAgainstNonNull_DivergesAsResult()
    {
        string[] lines = RecordBump(Workload).Split('\n');
        int target = Array.FindIndex(lines, l => l.StartsWith("1 m 100 ", StringComparison.Ordinal));
        lines[target] = "1 m 100 (nil)";
        TraceDivergence d = Verify(string.Join('\n', lines)).FirstDivergence!;
        Assert.Equal(DivergenceKind.Result, d.Kind);
        Assert.Equal("(nil)", d.Expected);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Verify_NoHeapStart_Throws()
    {
        TraceFormatException e = Assert.Throws<TraceFormatException>(() => Verify("1 m 8 0x10\n"));
        Assert.Contains("heap-start", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Verify_UnknownPointer_ThrowsWithLine()
    {
        ReplayException e = Assert.Throws<ReplayException>(() => Verify("# heap-start 0x555555559000\n1 f 0x99\n"));
        Assert.Equal(2, e.Line);
    }

    [Fact]
    public void Verify_SharedSortTrace_GlibcStrategyIsExact()
    {
        string path = Path.Combine(TestPaths.SamplesDirectory, "sort-services.trace");
        VerificationResult result = new TraceVerifier(TestStrategies.All["glibc"]).Verify(path);
        Assert.True(result.IsExact, result.FirstDivergence?.Description);
        Assert.Equal(294, result.CallsMatched);
    }
}
