// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads.Tests.Infrastructure;

/// <summary>Wraps an allocator and records every call it receives: the function, its arguments, the result and the simulated thread.</summary>
internal sealed class LoggingAllocator(IAllocator inner) : IAllocator
{
    public List<(char Op, ulong A, ulong B, ulong Result, int Thread)> Log { get; } = [];

    public string Name => inner.Name;

    public ISimulatedOs Os => inner.Os;

    public ulong Allocate(ulong size) => Add('m', size, 0, inner.Allocate(size));

    public void Free(ulong address)
    {
        inner.Free(address);
        Add('f', address, 0, 0);
    }

    public ulong Reallocate(ulong address, ulong size) => Add('r', address, size, inner.Reallocate(address, size));

    public ulong AllocateZeroed(ulong count, ulong size) => Add('c', count, size, inner.AllocateZeroed(count, size));

    public ulong AllocateAligned(ulong alignment, ulong size) => Add('a', alignment, size, inner.AllocateAligned(alignment, size));

    public ulong UsableSize(ulong address) => inner.UsableSize(address);

    public bool Trim(ulong pad) => inner.Trim(pad);

    public AllocatorStatistics GetStatistics() => inner.GetStatistics();

    public HeapCheckResult CheckHeap(HeapCheckLevel level) => inner.CheckHeap(level);

    private ulong Add(char op, ulong a, ulong b, ulong result)
    {
        Log.Add((op, a, b, result, SimulatedThread.CurrentId));
        return result;
    }
}
