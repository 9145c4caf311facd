// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace Allocators.Workloads;

/// <summary>
/// Parses a trace and resolves its calls (<see cref="CallResolver"/>) on a background thread while the caller
/// replays: batches travel through a small bounded queue (memory stays flat) and are recycled. A parse error
/// surfaces, in order, after the batches before it.
/// </summary>
/// <remarks>
/// Resolving costs the parse thread a map lookup per call. When that thread is the slower one (a cheap strategy, a
/// compressed or fact-laden trace) the replaying thread keeps finding the queue empty; then the pipeline hands the
/// resolver over for good: the producer stops resolving, and the consumer resolves every batch that arrives
/// unresolved (<see cref="ReplayBatch.Resolved"/>). Batches stay in order, so the resolver still sees every call
/// once, in trace order, on one thread at a time.
/// </remarks>
internal sealed class BatchPipeline : IDisposable
{
    private const int Depth = 4;

    /// <summary>The batches taken before the hand-over is decided (the first few wait for the producer's start-up).</summary>
    private const int WarmBatches = 4;

    /// <summary>How many of the next batches must have been waited for to hand the resolver over.</summary>
    private const int StarvedToHandOver = 6;

    /// <summary>The batches over which starvation is counted.</summary>
    private const int DecisionBatches = 24;
    private readonly TraceReader _reader;
    private readonly CallResolver _resolver;
    private readonly BlockingCollection<ReplayBatch> _full = new(Depth);
    private readonly ConcurrentBag<ReplayBatch> _free = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _producer;
    private readonly int _batchSize;
    private ExceptionDispatchInfo? _failure;
    private volatile bool _resolveOnConsumer;
    private int _taken;
    private int _starved;

    /// <summary>Starts the producer; from now on only it uses <paramref name="reader"/> and <paramref name="resolver"/>.</summary>
    /// <param name="reader">The trace.</param>
    /// <param name="resolver">The resolver, whose earlier batches the caller resolved.</param>
    /// <param name="batchSize">Records per batch.</param>
    /// <param name="handOverNow">Hand the resolver to the consumer from the start (tests).</param>
    public BatchPipeline(TraceReader reader, CallResolver resolver, int batchSize, bool handOverNow = false)
    {
        _reader = reader;
        _resolveOnConsumer = handOverNow;
        _resolver = resolver;
        _batchSize = batchSize;
        for (int i = 0; i < Depth + 2; i++)
        {
            _free.Add(new ReplayBatch(batchSize));
        }

        _producer = Task.Factory.StartNew(Produce, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>
    /// Takes the next batch, resolved or not (<see cref="ReplayBatch.Resolved"/>: the caller resolves it then); false at
    /// the end (throws the parse error, if one ended it). Once it returned false the producer is done with the reader
    /// and the resolver.
    /// </summary>
    public bool TryTake(out ReplayBatch? batch)
    {
        _taken++;
        if (_full.TryTake(out ReplayBatch? ready))
        {
            batch = ready;
            return true;
        }

        if (!_resolveOnConsumer && !_full.IsCompleted && _taken > WarmBatches && _taken <= WarmBatches + DecisionBatches
            && ++_starved >= StarvedToHandOver)
        {
            // The producer is the slower side: take the resolving off it.
            _resolveOnConsumer = true;
        }

        foreach (ReplayBatch item in _full.GetConsumingEnumerable())
        {
            batch = item;
            return true;
        }

        _failure?.Throw();
        batch = null;
        return false;
    }

    /// <summary>Hands a consumed batch back for reuse.</summary>
    public void Return(ReplayBatch batch) => _free.Add(batch);

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _producer.Wait();
        }
        catch (AggregateException)
        {
            // The producer's failure was either delivered through TryTake or is moot because the consumer stopped.
        }

        _full.Dispose();
        _stop.Dispose();
    }

    private void Produce()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                if (!_free.TryTake(out ReplayBatch? batch))
                {
                    batch = new ReplayBatch(_batchSize);
                }

                if (batch.Read(_reader) == 0)
                {
                    break;
                }

                if (!_resolveOnConsumer)
                {
                    batch.Resolve(_resolver);
                }

                _full.Add(batch, _stop.Token);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _failure = ExceptionDispatchInfo.Capture(e);
        }
        finally
        {
            _full.CompleteAdding();
        }
    }
}
