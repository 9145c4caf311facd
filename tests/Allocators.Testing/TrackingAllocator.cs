// Copyright (c) Allocators contributors. MIT License.

using Xunit.Sdk;

namespace Allocators.Testing;

/// <summary>
/// A decorator that records the live blocks handed out by the allocator it wraps, so a test can assert nothing is
/// outstanding (a leak) and that a free names a block that is live here.
/// </summary>
public sealed class TrackingAllocator : IAllocator, IHeapWalker
{
    private readonly IAllocator _inner;
    private readonly object _lock = new();
    private readonly Dictionary<ulong, ulong> _live = [];

    /// <summary>Initializes a new instance of the <see cref="TrackingAllocator"/> class.</summary>
    public TrackingAllocator(IAllocator inner)
    {
        _inner = inner;
    }

    /// <summary>Gets the wrapped allocator.</summary>
    public IAllocator Inner => _inner;

    /// <inheritdoc />
    public string Name => _inner.Name;

    /// <inheritdoc />
    public ISimulatedOs Os => _inner.Os;

    /// <summary>Gets a snapshot of the live blocks (address → requested size).</summary>
    public IReadOnlyDictionary<ulong, ulong> Outstanding
    {
        get
        {
            lock (_lock)
            {
                return new Dictionary<ulong, ulong>(_live);
            }
        }
    }

    /// <summary>Throws when any block handed out through this decorator was not freed.</summary>
    public void AssertNoneOutstanding()
    {
        IReadOnlyDictionary<ulong, ulong> outstanding = Outstanding;
        if (outstanding.Count > 0)
        {
            throw new XunitException($"{outstanding.Count} block(s) outstanding: " + string.Join(", ", outstanding.Take(10).Select(kv => $"0x{kv.Key:x} ({kv.Value} bytes)")));
        }
    }

    /// <inheritdoc />
    public ulong Allocate(ulong size) => Track(_inner.Allocate(size), size);

    /// <inheritdoc />
    public ulong AllocateZeroed(ulong count, ulong size) => Track(_inner.AllocateZeroed(count, size), unchecked(count * size));

    /// <inheritdoc />
    public ulong AllocateAligned(ulong alignment, ulong size) => Track(_inner.AllocateAligned(alignment, size), size);

    /// <inheritdoc />
    public void Free(ulong address)
    {
        _inner.Free(address);
        if (address != 0)
        {
            lock (_lock)
            {
                _live.Remove(address);
            }
        }
    }

    /// <inheritdoc />
    public ulong Reallocate(ulong address, ulong size)
    {
        ulong result = _inner.Reallocate(address, size);
        lock (_lock)
        {
            if (address != 0 && (result != 0 || size == 0))
            {
                _live.Remove(address);
            }

            if (result != 0)
            {
                _live[result] = size;
            }
        }

        return result;
    }

    /// <inheritdoc />
    public ulong UsableSize(ulong address) => _inner.UsableSize(address);

    /// <inheritdoc />
    public bool Trim(ulong pad) => _inner.Trim(pad);

    /// <inheritdoc />
    public AllocatorStatistics GetStatistics() => _inner.GetStatistics();

    /// <inheritdoc />
    public HeapCheckResult CheckHeap(HeapCheckLevel level) => _inner.CheckHeap(level);

    /// <inheritdoc />
    public IReadOnlyList<HeapBlock> WalkHeap() => _inner is IHeapWalker walker ? walker.WalkHeap() : [];

    private ulong Track(ulong address, ulong size)
    {
        if (address != 0)
        {
            lock (_lock)
            {
                _live[address] = size;
            }
        }

        return address;
    }
}
