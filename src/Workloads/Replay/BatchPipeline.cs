// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace Allocators.Workloads;

/// <summary>
/// Parses a trace on a background thread while the caller replays: batches of records travel through a small
/// bounded queue (memory stays flat) and are recycled. A parse error surfaces, in order, after the batches before it.
/// </summary>
internal sealed class BatchPipeline : IDisposable
{
    private const int Depth = 4;
    private readonly TraceReader _reader;
    private readonly BlockingCollection<(TraceRecord[] Batch, int Count)> _full = new(Depth);
    private readonly ConcurrentBag<TraceRecord[]> _free = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _producer;
    private readonly int _batchSize;
    private ExceptionDispatchInfo? _failure;

    public BatchPipeline(TraceReader reader, int batchSize)
    {
        _reader = reader;
        _batchSize = batchSize;
        for (int i = 0; i < Depth + 2; i++)
        {
            _free.Add(new TraceRecord[batchSize]);
        }

        _producer = Task.Factory.StartNew(Produce, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Takes the next parsed batch; false at the end (throws the parse error, if one ended it).</summary>
    public bool TryTake(out TraceRecord[] batch, out int count)
    {
        foreach ((TraceRecord[] Batch, int Count) item in _full.GetConsumingEnumerable())
        {
            batch = item.Batch;
            count = item.Count;
            return true;
        }

        _failure?.Throw();
        batch = [];
        count = 0;
        return false;
    }

    /// <summary>Hands a consumed batch back for reuse.</summary>
    public void Return(TraceRecord[] batch) => _free.Add(batch);

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
                if (!_free.TryTake(out TraceRecord[]? batch))
                {
                    batch = new TraceRecord[_batchSize];
                }

                int count = _reader.ReadBatch(batch);
                if (count == 0)
                {
                    break;
                }

                _full.Add((batch, count), _stop.Token);
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
