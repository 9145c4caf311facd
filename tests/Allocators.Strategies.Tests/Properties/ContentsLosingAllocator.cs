// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Strategies.Tests.Properties;

/// <summary>
/// A deliberately broken decorator for testing the property harness itself: a realloc that grows a block past
/// <see cref="Threshold"/> bytes loses the block's first byte. The model must catch it and the shrinker must reduce
/// any failing sequence to the two operations that show it.
/// </summary>
internal sealed class ContentsLosingAllocator(IAllocator inner) : IAllocator
{
    public const ulong Threshold = 1000;

    public string Name => "contents-losing(" + inner.Name + ")";

    public ISimulatedOs Os => inner.Os;

    public ulong Allocate(ulong size) => inner.Allocate(size);

    public void Free(ulong address) => inner.Free(address);

    public ulong Reallocate(ulong address, ulong size)
    {
        ulong result = inner.Reallocate(address, size);
        if (address != 0 && result != 0 && size > Threshold)
        {
            Os.WriteByte(result, (byte)~Os.ReadByte(result));
        }

        return result;
    }

    public ulong AllocateZeroed(ulong count, ulong size) => inner.AllocateZeroed(count, size);

    public ulong AllocateAligned(ulong alignment, ulong size) => inner.AllocateAligned(alignment, size);

    public ulong UsableSize(ulong address) => inner.UsableSize(address);

    public bool Trim(ulong pad) => inner.Trim(pad);

    public AllocatorStatistics GetStatistics() => inner.GetStatistics();

    public HeapCheckResult CheckHeap(HeapCheckLevel level) => inner.CheckHeap(level);
}
