// Copyright (c) Allocators contributors. MIT License.

using System.Globalization;
using System.Text;
using Allocators.Workloads.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Allocators.Workloads.Tests.Properties;

/// <summary>
/// The replayer resolves recorded pointers to slots ahead of the replay (on the parse thread when pipelined); whatever
/// the trace — consistent or not — it must hand the strategy exactly the calls the plain dictionary model does.
/// </summary>
[Trait("Category", "Property")]
public sealed class ReplayResolutionProperties
{
    private static int Scale => int.TryParse(Environment.GetEnvironmentVariable("ALLOCATORS_PROPERTY_SCALE"), out int s) && s > 0 ? s : 1;

    /// <summary>
    /// Writes a trace of <paramref name="length"/> calls over a small pool of recorded addresses, so frees of pointers
    /// never returned, double frees, results returned while live, failed calls (nil), realloc(p, 0), realloc(NULL, n),
    /// simulated failures (huge requests) and several threads all occur.
    /// </summary>
    private static string MakeTrace(int seed, int length, int pool)
    {
        var random = new Random(seed);
        var text = new StringBuilder("# heap-start 0x555555559000\n");
        string Pointer() => random.Next(20) == 0 ? "(nil)" : "0x" + (0x7f0000000000UL + ((ulong)random.Next(pool) * 16)).ToString("x", CultureInfo.InvariantCulture);
        ulong Size() => random.Next(200) == 0 ? 1UL << 41 : (ulong)random.Next(0, 600);
        for (int i = 0; i < length; i++)
        {
            int tid = 100 + random.Next(3);
            switch (random.Next(10))
            {
                case 0 or 1 or 2:
                    text.Append(CultureInfo.InvariantCulture, $"{tid} m {Size()} {Pointer()}\n");
                    break;
                case 3:
                    text.Append(CultureInfo.InvariantCulture, $"{tid} c {random.Next(0, 9)} {random.Next(0, 80)} {Pointer()}\n");
                    break;
                case 4:
                    text.Append(CultureInfo.InvariantCulture, $"{tid} a {16 << random.Next(0, 4)} {Size()} {Pointer()}\n");
                    break;
                case 5 or 6:
                    text.Append(CultureInfo.InvariantCulture, $"{tid} r {Pointer()} {(random.Next(8) == 0 ? 0 : random.Next(1, 900))} {Pointer()}\n");
                    break;
                default:
                    text.Append(CultureInfo.InvariantCulture, $"{tid} f {Pointer()}\n");
                    break;
            }
        }

        return text.ToString();
    }

    private static bool SameAsModel(string trace, bool parallel)
    {
        LoggingAllocator? replayed = null;
        var options = new ReplayOptions { SkipUnknown = true, Drain = true, ParallelParse = parallel };
        ReplayResult result;
        using (TraceReader reader = TraceText.Reader(trace))
        {
            result = new Replayer(os => replayed = new LoggingAllocator(new BumpAllocator(os)), options).Replay(reader);
        }

        ReferenceReplay model;
        var modelAllocator = new LoggingAllocator(new BumpAllocator(Replayer.CreateOs(0x555555559000, null)));
        using (TraceReader reader = TraceText.Reader(trace))
        {
            model = ReferenceReplay.Run(modelAllocator, reader.ReadCalls());
        }

        // Calls in trace order are identical; the blocks drained at the end are the same (their order is the map's).
        int replayedCalls = replayed!.Log.Count - (int)result.DrainedBlocks;
        int modelCalls = modelAllocator.Log.Count - model.Drained.Count;
        return replayedCalls == modelCalls
            && replayed.Log.Take(replayedCalls).SequenceEqual(modelAllocator.Log.Take(modelCalls))
            && replayed.Log.Skip(replayedCalls).Select(e => e.A).Order().SequenceEqual(model.Drained.Order())
            && result.Calls == model.Calls
            && result.SkippedCalls == model.Skipped
            && result.FailedAllocations == model.Failures
            && result.PeakLiveBytes == model.PeakLiveBytes
            && result.DrainedBlocks == model.Drained.Count
            && result.Threads == model.Threads;
    }

    [Property(MaxTest = 40)]
    public Property Replay_ShortInconsistentTraces_HandsTheStrategyWhatTheModelDoes() =>
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), Gen.Choose(1, 400).ToArbitrary(), (seed, length) =>
            SameAsModel(MakeTrace(seed, length, pool: 24), parallel: false));

    [Fact]
    public void Replay_LongInconsistentTraces_PipelinedAndSequentialMatchTheModel()
    {
        // Longer than one batch (8192 records), so the parse thread resolves all but the first; the first run is long
        // enough that a quick consumer may also take the resolving over (BatchPipeline).
        for (int run = 0; run < 2 * Scale; run++)
        {
            string trace = MakeTrace(seed: 7919 * (run + 1), length: run == 0 ? 100_000 : 30_000, pool: 40 + (run * 500));
            Assert.True(SameAsModel(trace, parallel: true), $"pipelined run {run}");
            Assert.True(SameAsModel(trace, parallel: false), $"sequential run {run}");
        }
    }
}
