// Copyright (c) Allocators contributors. MIT License.

using System.Globalization;
using System.Text;
using Allocators.Workloads.Tests.Infrastructure;

namespace Allocators.Workloads.Tests.Unit;

/// <summary>The pipeline resolves on the parse thread, or hands the resolver to the consumer; the calls resolve the same.</summary>
public sealed class BatchPipelineTests
{
    private const int BatchSize = 512;

    private static string Churn(int calls)
    {
        var random = new Random(17);
        var live = new List<ulong>();
        ulong next = 0x7f0000000000;
        var text = new StringBuilder();
        for (int i = 0; i < calls; i++)
        {
            if (live.Count > 0 && random.Next(2) == 0)
            {
                int k = random.Next(live.Count);
                text.Append(CultureInfo.InvariantCulture, $"{1 + random.Next(2)} f 0x{live[k]:x}\n");
                live[k] = live[^1];
                live.RemoveAt(live.Count - 1);
            }
            else
            {
                next += 16;
                live.Add(next);
                text.Append(CultureInfo.InvariantCulture, $"{1 + random.Next(2)} m {random.Next(1, 500)} 0x{next:x}\n");
            }
        }

        return text.ToString();
    }

    /// <summary>Resolves a whole trace through a pipeline, the consumer resolving whatever arrives unresolved.</summary>
    private static List<ReplayOp> ThroughPipeline(string text, bool handOverNow, out int resolvedByConsumer)
    {
        using TraceReader reader = TraceText.Reader(text);
        var resolver = new CallResolver(renumberThreads: true);
        var ops = new List<ReplayOp>();
        resolvedByConsumer = 0;
        using var pipeline = new BatchPipeline(reader, resolver, BatchSize, handOverNow);
        while (pipeline.TryTake(out ReplayBatch? batch))
        {
            if (!batch!.Resolved)
            {
                batch.Resolve(resolver);
                resolvedByConsumer++;
            }

            ops.AddRange(batch.Ops.AsSpan(0, batch.OpCount).ToArray());
            pipeline.Return(batch);
        }

        return ops;
    }

    private static List<ReplayOp> Sequential(string text)
    {
        using TraceReader reader = TraceText.Reader(text);
        var resolver = new CallResolver(renumberThreads: true);
        var batch = new ReplayBatch(BatchSize);
        var ops = new List<ReplayOp>();
        while (batch.Read(reader) > 0)
        {
            batch.Resolve(resolver);
            ops.AddRange(batch.Ops.AsSpan(0, batch.OpCount).ToArray());
        }

        return ops;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TryTake_EitherSideResolving_SameCallsAsSequential(bool handOverNow)
    {
        string text = Churn(20_000);
        List<ReplayOp> expected = Sequential(text);
        List<ReplayOp> actual = ThroughPipeline(text, handOverNow, out int resolvedByConsumer);
        Assert.Equal(expected, actual);
        if (handOverNow)
        {
            Assert.Equal((20_000 + BatchSize - 1) / BatchSize, resolvedByConsumer);
        }
    }
}
