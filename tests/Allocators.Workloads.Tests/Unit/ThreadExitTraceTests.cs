// Copyright (c) Allocators contributors. MIT License.

using System.Diagnostics;
using System.Text;
using Allocators.Strategies.Glibc;
using Allocators.Workloads.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Allocators.Workloads.Tests.Unit;

/// <summary><c># thread-exit TID</c>: parsing, both encodings, replay, and a recorded threaded program verified exactly.</summary>
public sealed class ThreadExitTraceTests(ITestOutputHelper output)
{
    private const ulong HeapMax = 64UL << 20;

    /// <summary>Main allocates; thread 200 allocates and frees in its own arena, exits; thread 300 starts.</summary>
    private const string TwoThreads = """
        # heap-start 0x555555559000
        100 m 10 0x555555559010
        200 m 100 0x7ffff0000b70
        200 f 0x7ffff0000b70
        # thread-exit 200
        300 m 100 0x7ffff0000b70
        """;

    /// <summary>Sequential worker threads, each caching chunks of the main arena and of its own, joined before main goes on.</summary>
    private const string ThreadedProgram = """
        #include <pthread.h>
        #include <stdlib.h>
        #include <string.h>
        static void *shared[64];
        static void *work(void *arg) {
            long k = (long)arg;
            void *mine[40];
            for (int i = 0; i < 40; i++) { mine[i] = malloc(16 + (size_t)((i * 37 + k * 11) % 600)); memset(mine[i], 1, 8); }
            for (int i = 0; i < 40; i += 2) free(mine[i]);
            for (int i = 0; i < 64; i += 3) { free(shared[i]); shared[i] = NULL; }
            for (int i = 1; i < 40; i += 4) free(mine[i]);
            return NULL;
        }
        int main(void) {
            for (int r = 0; r < 3; r++) {
                for (int i = 0; i < 64; i++) if (!shared[i]) shared[i] = malloc(24 + (size_t)(i * 13 % 300));
                pthread_t t;
                pthread_create(&t, NULL, work, (void *)(long)r);
                pthread_join(t, NULL);
                void *p = calloc(1, 360), *q = malloc(200);
                free(p);
                free(q);
            }
            return 0;
        }
        """;

    [Fact]
    public void Text_ThreadExit_ParsesAndFormatsBack()
    {
        List<TraceRecord> records = TraceText.ReadAll(TwoThreads);
        TraceRecord exit = records[4];
        Assert.Equal(TraceRecordKind.ThreadExit, exit.Kind);
        Assert.Equal(200, exit.ThreadId);
        Assert.Equal(5, exit.Line);
        Assert.Equal("# thread-exit 200", exit.ToString());

        var stream = new MemoryStream();
        using (var writer = new TraceWriter(stream, leaveOpen: true))
        {
            ((ITraceSink)writer).Write(exit);
        }

        Assert.Equal("# thread-exit 200\n", Encoding.ASCII.GetString(stream.ToArray()));
    }

    [Theory]
    [Trait("Category", "BadInput")]
    [InlineData("# thread-exit", "thread id")]
    [InlineData("# thread-exit x12", "thread id")]
    [InlineData("# thread-exit 99999999999", "thread id out of range")]
    public void Text_MalformedThreadExit_NamesTheLine(string line, string expected)
    {
        var e = Assert.Throws<TraceFormatException>(() => TraceText.ReadAll("# heap-start 0x1000\n" + line + "\n"));
        Assert.Equal(2, e.Line);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Binary_ThreadExit_RoundTripsBetweenCallsOfTheSameTid()
    {
        TraceRecord[] records =
        [
            TraceRecord.ForHeapStart(0x1000),
            TraceRecord.ForCall(TraceCall.Malloc(7, 16, 0x1010)),
            TraceRecord.ForThreadExit(7),
            TraceRecord.ForCall(TraceCall.Malloc(7, 32, 0x1030)),
            TraceRecord.ForThreadExit(int.MaxValue),
        ];
        var stream = new MemoryStream();
        using (var writer = new BinaryTraceWriter(stream, leaveOpen: true))
        {
            foreach (TraceRecord r in records)
            {
                ((ITraceSink)writer).Write(r);
            }
        }

        List<TraceRecord> back = TraceText.ReadAll(stream.ToArray());
        Assert.Equal(records.Select(r => r.ToString()), back.Select(r => r.ToString()));
        Assert.Equal(TraceRecordKind.ThreadExit, back[2].Kind);
        Assert.Equal(7, back[2].ThreadId);
    }

    [Fact]
    public void Replay_ThreadExit_NextThreadTakesTheFreedArena()
    {
        (ulong Worker, ulong Next, ReplayResult Result) withExit = ReplayTwoThreads(TwoThreads);
        (ulong Worker, ulong Next, ReplayResult Result) withoutExit = ReplayTwoThreads(TwoThreads.Replace("# thread-exit 200\n", string.Empty, StringComparison.Ordinal));

        Assert.Equal(withExit.Worker & ~(HeapMax - 1), withExit.Next & ~(HeapMax - 1));
        Assert.NotEqual(withoutExit.Worker & ~(HeapMax - 1), withoutExit.Next & ~(HeapMax - 1));
        Assert.Equal(3, withExit.Result.Threads);
    }

    [Fact]
    public void Replay_ReusedTid_IsANewThread()
    {
        const string trace = """
            # heap-start 0x555555559000
            100 m 10 0x555555559010
            200 m 100 0x7ffff0000b70
            # thread-exit 200
            200 m 100 0x7ffff0000be0
            """;
        var replayer = new Replayer(os => new GlibcAllocator(os));
        using TraceReader reader = TraceText.Reader(trace);
        ReplayResult result = replayer.Replay(reader);
        Assert.Equal(3, result.Threads);
        Assert.Equal(3, result.Calls);
    }

    [Fact]
    public void Record_ThreadedProgram_ExitsRecorded_VerifiesExactly_AndNotWithoutThem()
    {
        string? compiler = FindCompiler();
        if (compiler is null)
        {
            return;
        }

        string dir = TestPaths.NewTempDirectory();
        string source = Path.Combine(dir, "threads.c");
        string program = Path.Combine(dir, "threads");
        File.WriteAllText(source, ThreadedProgram);
        using (Process cc = Process.Start(compiler, ["-O1", "-pthread", "-o", program, source])!)
        {
            cc.WaitForExit();
            Assert.Equal(0, cc.ExitCode);
        }

        string path = Path.Combine(dir, "threads.trace");
        var recorder = new Recorder(new RecorderOptions { CacheDirectory = Path.Combine(Path.GetTempPath(), "allocators-workloads-tests", "recorder-cache"), DiscardOutput = true });
        RecordingResult recorded = recorder.Record(path, program, []);
        Assert.Equal(0, recorded.ExitCode);
        string[] lines = File.ReadAllLines(path);
        Assert.Equal(3, lines.Count(l => l.StartsWith("# thread-exit ", StringComparison.Ordinal)));

        // The exit line follows every call the thread made, glibc's own cleanup frees included.
        var exited = new HashSet<string>();
        foreach (string line in lines)
        {
            if (line.StartsWith("# thread-exit ", StringComparison.Ordinal))
            {
                exited.Add(line["# thread-exit ".Length..]);
            }
            else if (!line.StartsWith('#'))
            {
                Assert.DoesNotContain(line.Split(' ')[0], exited);
            }
        }

        VerificationResult verified = new TraceVerifier(os => new GlibcAllocator(os)).Verify(path);
        output.WriteLine($"with exits: {verified.CallsMatched}/{verified.Calls}");
        Assert.True(verified.IsExact, verified.FirstDivergence?.ToString());

        // The exits matter: the same recording without them diverges right after the first one.
        string stripped = Path.Combine(dir, "stripped.trace");
        File.WriteAllLines(stripped, lines.Where(l => !l.StartsWith("# thread-exit ", StringComparison.Ordinal)));
        VerificationResult without = new TraceVerifier(os => new GlibcAllocator(os)).Verify(stripped);
        output.WriteLine($"without exits: {without.CallsMatched}/{without.Calls}");
        Assert.False(without.IsExact);
        Directory.Delete(dir, true);
    }

    private (ulong Worker, ulong Next, ReplayResult Result) ReplayTwoThreads(string trace)
    {
        var sink = new MemoryStream();
        using var writer = new TraceWriter(sink, leaveOpen: true);
        var replayer = new Replayer(os => new GlibcAllocator(os), new ReplayOptions { Output = writer });
        ReplayResult result;
        using (TraceReader reader = TraceText.Reader(trace))
        {
            result = replayer.Replay(reader);
        }

        writer.Flush();
        List<TraceCall> calls = [.. TraceText.ReadAll(sink.ToArray()).Where(r => r.Kind == TraceRecordKind.Call).Select(r => r.Call)];
        return (calls[1].Result, calls[3].Result, result);
    }

    private string? FindCompiler()
    {
        try
        {
            return NativeBuild.FindCompiler(null);
        }
        catch (RecorderException e)
        {
            output.WriteLine("SKIPPED: " + e.Message);
            return null;
        }
    }
}
