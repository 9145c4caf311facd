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
internal sealed class BatchPipeline : IDisposable
{
    private const int Depth = 4;
    private readonly TraceReader _reader;
    private readonly CallResolver _resolver;
    private readonly BlockingCollection<ReplayBatch> _full = new(Depth);
    private readonly ConcurrentBag<ReplayBatch> _free = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _producer;
    private readonly int _batchSize;
    private ExceptionDispatchInfo? _failure;

    /// <summary>Starts the producer; from now on only it uses <paramref name="reader"/> and <paramref name="resolver"/>.</summary>
    public BatchPipeline(TraceReader reader, CallResolver resolver, int batchSize)
    {
        _reader = reader;
        _resolver = resolver;
        _batchSize = batchSize;
        for (int i = 0; i < Depth + 2; i++)
        {
            _free.Add(new ReplayBatch(batchSize));
        }

        _producer = Task.Factory.StartNew(Produce, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>
    /// Takes the next batch; false at the end (throws the parse error, if one ended it). Once it returned false the
    /// producer is done with the reader and the resolver.
    /// </summary>
    public bool TryTake(out ReplayBatch? batch)
    {
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

                batch.Resolve(_resolver);
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
