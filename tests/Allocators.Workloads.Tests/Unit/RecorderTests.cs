// Copyright (c) Allocators contributors. MIT License.

using System.Diagnostics;
using Allocators.Workloads.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Allocators.Workloads.Tests.Unit;

/// <summary>End-to-end tests of the LD_PRELOAD recorder; they need a C compiler (and pass vacuously, saying so, without one).</summary>
public sealed class RecorderTests(ITestOutputHelper output)
{
    private static readonly string s_cache = Path.Combine(Path.GetTempPath(), "allocators-workloads-tests", "recorder-cache");

    private static Recorder NewRecorder() => new(new RecorderOptions { CacheDirectory = s_cache, DiscardOutput = true });

    private bool HasCompiler()
    {
        try
        {
            NewRecorder().BuildLibrary();
            return true;
        }
        catch (RecorderException e) when (e.Message.StartsWith("No C compiler", StringComparison.Ordinal))
        {
            output.WriteLine("SKIPPED: " + e.Message);
            return false;
        }
    }

    [Fact]
    public void Record_SortServices_GivesSelfConsistentTraceWithFacts()
    {
        if (!HasCompiler() || !File.Exists("/etc/services"))
        {
            return;
        }

        string dir = TestPaths.NewTempDirectory();
        string path = Path.Combine(dir, "sort.trace");
        var watch = Stopwatch.StartNew();
        RecordingResult result = NewRecorder().Record(path, "sort", ["/etc/services"]);
        output.WriteLine($"recorded {result.Calls} calls in {watch.ElapsedMilliseconds} ms");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(path, result.TracePath);
        Assert.Empty(result.IncompleteTracePaths);
        Assert.True(result.Calls > 100);
        TraceCheckResult check = TraceChecker.Check(path);
        Assert.True(check.IsConsistent, string.Join("\n", check.FirstProblems));
        Assert.Equal(result.Calls, check.Calls);
        Assert.Equal(1, check.Threads);
        using (TraceReader reader = TraceReader.Open(path))
        {
            List<TraceRecord> records = reader.ToList();
            Assert.Equal(TraceRecordKind.HeapStart, records[0].Kind);
            Assert.Contains(records, r => r.Kind == TraceRecordKind.Brk);
            Assert.All(records.Where(r => r.Kind == TraceRecordKind.Call && r.Call.Result != 0), r => Assert.True(r.Call.HasHeader && r.Call.HasUsable));
        }

        Assert.DoesNotContain(Directory.EnumerateFiles(dir), f => f.Contains(".recording-", StringComparison.Ordinal));

        // The glibc strategy replays the recording exactly.
        VerificationResult verified = new TraceVerifier(TestStrategies.All["glibc"]).Verify(path);
        Assert.True(verified.IsExact, verified.FirstDivergence?.ToString());
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Record_ShellRunningPrograms_ChildrenGetTheirOwnFiles()
    {
        if (!HasCompiler())
        {
            return;
        }

        string dir = TestPaths.NewTempDirectory();
        string path = Path.Combine(dir, "sh.trace");
        RecordingResult result = NewRecorder().Record(path, "/bin/sh", ["-c", "sort /etc/services | head -3; ls / > /dev/null"]);
        output.WriteLine($"{result.Calls} calls; children: {string.Join(", ", result.ChildTracePaths.Select(Path.GetFileName))}; incomplete: {string.Join(", ", result.IncompleteTracePaths.Select(Path.GetFileName))}");
        Assert.True(result.ChildTracePaths.Count + result.IncompleteTracePaths.Count >= 2);
        foreach (string child in result.ChildTracePaths)
        {
            Assert.StartsWith(path + ".", child, StringComparison.Ordinal);
            TraceCheckResult check = TraceChecker.Check(child);
            Assert.True(check.IsConsistent || File.ReadLines(child).Any(l => l.StartsWith("# forked-from", StringComparison.Ordinal)), child);
        }

        Directory.Delete(dir, true);
    }

    [Fact]
    public void Record_ZstName_WritesCompressedTrace()
    {
        if (!HasCompiler())
        {
            return;
        }

        string dir = TestPaths.NewTempDirectory();
        string path = Path.Combine(dir, "sort.trace.zst");
        RecordingResult result = NewRecorder().Record(path, "sort", ["/etc/services"]);
        using (TraceReader reader = TraceReader.Open(path))
        {
            Assert.Equal(TraceCompression.Zstd, reader.Compression);
            Assert.Equal(result.Calls, reader.ReadCalls().LongCount());
        }

        Assert.Equal([path], Directory.EnumerateFiles(dir));
        Directory.Delete(dir, true);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Record_MissingProgram_ThrowsAndLeavesNothing()
    {
        if (!HasCompiler())
        {
            return;
        }

        string dir = TestPaths.NewTempDirectory();
        string path = Path.Combine(dir, "x.trace");
        RecorderException e = Assert.Throws<RecorderException>(() => NewRecorder().Record(path, "/nonexistent/program-" + Guid.NewGuid(), []));
        Assert.Contains("cannot be started", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir));
        Directory.Delete(dir, true);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Record_ProgramKilledBySignal_TraceMarkedIncomplete()
    {
        if (!HasCompiler())
        {
            return;
        }

        string dir = TestPaths.NewTempDirectory();
        string path = Path.Combine(dir, "killed.trace");

        // The shell allocates, then kills itself: the recorder never gets to close the trace.
        RecorderException e = Assert.Throws<RecorderException>(() => NewRecorder().Record(path, "/bin/sh", ["-c", "x=$(echo hello); kill -9 $$"]));
        Assert.Contains("without completing its trace", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
        Assert.True(File.Exists(path + ".incomplete"));
        Directory.Delete(dir, true);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Record_StaticOrNonElfProgram_ThrowsNoAllocations()
    {
        if (!HasCompiler())
        {
            return;
        }

        string dir = TestPaths.NewTempDirectory();
        string script = Path.Combine(dir, "notelf");
        File.WriteAllText(script, "not a program\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
        }

        string path = Path.Combine(dir, "x.trace");
        Assert.Throws<RecorderException>(() => NewRecorder().Record(path, script, []));
        Assert.False(File.Exists(path));
        Directory.Delete(dir, true);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void BuildLibrary_MissingCompiler_ClearError()
    {
        var recorder = new Recorder(new RecorderOptions
        {
            CacheDirectory = Path.Combine(Path.GetTempPath(), "allocators-workloads-tests", Guid.NewGuid().ToString("N")),
            Compiler = "/nonexistent/cc",
            SearchPath = "/nonexistent",
        });
        string? savedCc = Environment.GetEnvironmentVariable("CC");
        Environment.SetEnvironmentVariable("CC", null);
        try
        {
            RecorderException e = Assert.Throws<RecorderException>(recorder.BuildLibrary);
            Assert.Contains("No C compiler", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("CC", savedCc);
        }
    }
}
