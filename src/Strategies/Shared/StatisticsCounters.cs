// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Strategies.Shared;

/// <summary>Plain counters the strategies update under their own lock and copy into <see cref="AllocatorStatistics"/>.</summary>
internal struct StatisticsCounters
{
    public long Allocations;
    public long Frees;
    public long Reallocations;
    public long FailedAllocations;
    public AllocationFailure LastFailure;
    public long LiveBlocks;
    public ulong AllocatedBytes;
    public ulong PeakAllocatedBytes;

    public void OnAllocated(ulong requested)
    {
        Allocations++;
        LiveBlocks++;
        AllocatedBytes += requested;
        if (AllocatedBytes > PeakAllocatedBytes)
        {
            PeakAllocatedBytes = AllocatedBytes;
        }
    }

    public void OnFreed(ulong requested)
    {
        Frees++;
        LiveBlocks--;
        AllocatedBytes -= requested;
    }

    public void OnResized(ulong oldRequested, ulong newRequested)
    {
        Reallocations++;
        AllocatedBytes = AllocatedBytes - oldRequested + newRequested;
        if (AllocatedBytes > PeakAllocatedBytes)
        {
            PeakAllocatedBytes = AllocatedBytes;
        }
    }

    public void OnFailed(AllocationFailure reason)
    {
        FailedAllocations++;
        LastFailure = reason;
    }
}
