// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads.Tests.Infrastructure;

/// <summary>
/// A test-only allocator: bumps through the brk heap, keeps a glibc-like size word (size | 1) before each block,
/// never reuses memory, and records the simulated thread of every call. Strict about frees.
/// </summary>
internal sealed class BumpAllocator : IAllocator
{
    private readonly HashSet<ulong> _live = [];
    private ulong _top;
    private long _allocations;
    private long _frees;
    private ulong _allocated;

    public BumpAllocator(ISimulatedOs os)
    {
        Os = os;
        _top = os.CurrentBreak;
    }

    public string Name => "bump";

    public ISimulatedOs Os { get; }

    public List<int> Threads { get; } = [];

    public ulong Allocate(ulong size) => AllocateAligned(16, size);

    public void Free(ulong address)
    {
        Threads.Add(SimulatedThread.CurrentId);
        if (address == 0)
        {
            return;
        }

        if (!_live.Remove(address))
        {
            throw new HeapCorruptionException(Name, "free", address, "B1", "not a live block");
        }

        _frees++;
        _allocated -= Os.ReadUInt64(address - 8) & ~15UL;
    }

    public ulong Reallocate(ulong address, ulong size)
    {
        if (address == 0)
        {
            return Allocate(size);
        }

        if (size == 0)
        {
            Free(address);
            return 0;
        }

        ulong old = UsableSize(address);
        ulong result = Allocate(size);
        Os.Copy(result, address, Math.Min(old, size));
        Free(address);
        return result;
    }

    public ulong AllocateZeroed(ulong count, ulong size) => Allocate(count * size);

    public ulong AllocateAligned(ulong alignment, ulong size)
    {
        Threads.Add(SimulatedThread.CurrentId);
        if (size > 1UL << 40)
        {
            return 0;
        }

        ulong chunk = ((size + 8 + 15) & ~15UL) + 16;
        ulong result = (_top + 16 + alignment - 1) & ~(alignment - 1);
        ulong end = result - 16 + chunk;
        if (end > Os.CurrentBreak)
        {
            ulong want = (end + 0xfff) & ~0xfffUL;
            if (Os.Brk(want) != want)
            {
                return 0;
            }
        }

        Os.WriteUInt64(result - 8, chunk | 1);
        _top = end;
        _live.Add(result);
        _allocations++;
        _allocated += chunk;
        return result;
    }

    public ulong UsableSize(ulong address) => address == 0 ? 0 : (Os.ReadUInt64(address - 8) & ~15UL) - 16;

    public bool Trim(ulong pad) => false;

    public AllocatorStatistics GetStatistics() => new()
    {
        Version = AllocatorStatistics.CurrentVersion,
        Strategy = Name,
        Allocations = _allocations,
        Frees = _frees,
        LiveBlocks = _live.Count,
        AllocatedBytes = _allocated,
        HeldBytes = Os.CurrentBreak - Os.InitialBreak,
        Os = Os.GetStatistics(),
    };

    public HeapCheckResult CheckHeap(HeapCheckLevel level) => HeapCheckResult.Success;
}
