// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using Microsoft.Extensions.Logging;

namespace Allocators.Hosting;

/// <summary>
/// The <see cref="IAllocator"/> the container hands out: forwards every call to the strategy and logs integrity errors
/// (<see cref="HeapCorruptionException"/>) and invalid pointers (<see cref="AllocatorArgumentException"/>) on their way
/// out. The exception filters never catch, so the exception and its stack reach the caller untouched, and a call that
/// does not throw pays only the forwarding.
/// </summary>
internal sealed class LoggingAllocator : IAllocator, IHeapWalker
{
    private readonly IAllocator _inner;
    private readonly ILogger _logger;
    private readonly string _name;

    public LoggingAllocator(IAllocator inner, ILogger logger, string name)
    {
        _inner = inner;
        _logger = logger;
        _name = name;
    }

    /// <summary>Gets the strategy instance behind this facade.</summary>
    public IAllocator Inner => _inner;

    public string Name => _inner.Name;

    public ISimulatedOs Os => _inner.Os;

    public ulong Allocate(ulong size)
    {
        try
        {
            return _inner.Allocate(size);
        }
        catch (Exception ex) when (Log(ex, nameof(Allocate)))
        {
            throw;
        }
    }

    public void Free(ulong address)
    {
        try
        {
            _inner.Free(address);
        }
        catch (Exception ex) when (Log(ex, nameof(Free)))
        {
            throw;
        }
    }

    public ulong Reallocate(ulong address, ulong size)
    {
        try
        {
            return _inner.Reallocate(address, size);
        }
        catch (Exception ex) when (Log(ex, nameof(Reallocate)))
        {
            throw;
        }
    }

    public ulong AllocateZeroed(ulong count, ulong size)
    {
        try
        {
            return _inner.AllocateZeroed(count, size);
        }
        catch (Exception ex) when (Log(ex, nameof(AllocateZeroed)))
        {
            throw;
        }
    }

    public ulong AllocateAligned(ulong alignment, ulong size)
    {
        try
        {
            return _inner.AllocateAligned(alignment, size);
        }
        catch (Exception ex) when (Log(ex, nameof(AllocateAligned)))
        {
            throw;
        }
    }

    public ulong UsableSize(ulong address)
    {
        try
        {
            return _inner.UsableSize(address);
        }
        catch (Exception ex) when (Log(ex, nameof(UsableSize)))
        {
            throw;
        }
    }

    public bool Trim(ulong pad)
    {
        try
        {
            return _inner.Trim(pad);
        }
        catch (Exception ex) when (Log(ex, nameof(Trim)))
        {
            throw;
        }
    }

    public AllocatorStatistics GetStatistics() => _inner.GetStatistics();

    public HeapCheckResult CheckHeap(HeapCheckLevel level) => _inner.CheckHeap(level);

    public IReadOnlyList<HeapBlock> WalkHeap()
        => _inner is IHeapWalker walker
            ? walker.WalkHeap()
            : throw new NotSupportedException($"The {_inner.Name} strategy cannot walk its heap.");

    public override string ToString() => $"{_name} ({_inner.Name})";

    /// <summary>Logs and returns false, so the filter never catches.</summary>
    private bool Log(Exception exception, string operation)
    {
        switch (exception)
        {
            case HeapCorruptionException corruption:
                AllocatorLog.HeapCorruption(_logger, _name, _inner.Name, corruption.Operation, corruption.Address, corruption.Check, corruption);
                break;
            case AllocatorArgumentException argument:
                AllocatorLog.InvalidPointer(_logger, _name, _inner.Name, argument.Operation, argument.Address, argument.Problem, argument);
                break;
            case SegmentationFaultException fault:
                AllocatorLog.HeapCorruption(_logger, _name, _inner.Name, operation, fault.Address, "segmentation fault", fault);
                break;
        }

        return false;
    }
}
