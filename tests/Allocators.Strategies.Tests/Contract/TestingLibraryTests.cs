// Copyright (c) Allocators contributors. MIT License.

using Allocators.Os;
using Allocators.Strategies.Mmap;
using Allocators.Testing;
using FsCheck.Fluent;
using Xunit.Sdk;

namespace Allocators.Strategies.Tests.Contract;

/// <summary>The shared test library must be able to fail: broken allocators are caught.</summary>
public sealed class TestingLibraryTests
{
    [Fact]
    public void TrackingAllocator_LeakedBlock_IsReportedUntilFreed()
    {
        using var os = new SimulatedOs();
        var tracking = new TrackingAllocator(new MmapAllocator(os));
        ulong a = tracking.Allocate(10);
        ulong b = tracking.AllocateZeroed(2, 8);
        ulong c = tracking.Reallocate(a, 5000);
        tracking.Free(b);
        XunitException leak = Assert.Throws<XunitException>(tracking.AssertNoneOutstanding);
        Assert.Contains($"0x{c:x} (5000 bytes)", leak.Message);
        Assert.Equal(0UL, tracking.Reallocate(c, 0));
        tracking.AssertNoneOutstanding();
    }

    [Fact]
    public void ModelChecker_AllocatorHandingOutTheSameBlockTwice_IsCaught()
    {
        using var os = new SimulatedOs();
        var broken = new DuplicatingAllocator(new MmapAllocator(os));
        ModelCheckException error = Assert.Throws<ModelCheckException>(() => ModelChecker.Check(broken, [AllocatorOperation.Malloc(32), AllocatorOperation.Malloc(32)]));
        Assert.Contains("already live", error.Message);
    }

    [Fact]
    public void ModelChecker_AllocatorScribblingOnAnotherBlock_IsCaught()
    {
        using var os = new SimulatedOs();
        var broken = new ScribblingAllocator(new MmapAllocator(os));
        AllocatorOperation[] ops = [AllocatorOperation.Malloc(100), AllocatorOperation.Malloc(200), AllocatorOperation.Free(1), AllocatorOperation.Malloc(50)];
        ModelCheckException error = Assert.Throws<ModelCheckException>(() => ModelChecker.Check(broken, ops));
        Assert.Contains("changed at offset 0", error.Message);
    }

    [Fact]
    public void BoundarySizes_Edges_CoverBinAndPageBoundaries()
    {
        foreach (ulong edge in new ulong[] { 0x3f0, 0x400, 4095, 4096, 4097, 131072, 131071, 1023, 1025, 24, 25 })
        {
            Assert.Contains(edge, BoundarySizes.Edges);
        }

        ulong[] sample = BoundarySizes.Size(5000).Sample(50, 2000);
        Assert.All(sample, s => Assert.InRange(s, 0UL, 5000UL));
        Assert.Contains(sample, s => BoundarySizes.Edges.Contains(s));
    }

    [Fact]
    public void OperationGenerators_Shrink_ProducesShorterOrSmallerSequences()
    {
        AllocatorOperation[] ops = [AllocatorOperation.Malloc(100), AllocatorOperation.Free(0), AllocatorOperation.Malloc(64)];
        AllocatorOperation[][] shrunk = OperationGenerators.Shrink(ops).ToArray();
        Assert.Contains(shrunk, s => s.Length == 2);
        Assert.Contains(shrunk, s => s.Length == 3 && s[0].Size == 50);
        Assert.Empty(OperationGenerators.Shrink([]));
    }

    /// <summary>Returns the previous block again for every second allocation (an allocator bug the model must catch).</summary>
    private sealed class DuplicatingAllocator(IAllocator inner) : IAllocator
    {
        private ulong _last;

        public string Name => "duplicating";

        public ISimulatedOs Os => inner.Os;

        public ulong Allocate(ulong size) => _last = _last != 0 ? _last : inner.Allocate(size);

        public void Free(ulong address) => inner.Free(address);

        public ulong Reallocate(ulong address, ulong size) => inner.Reallocate(address, size);

        public ulong AllocateZeroed(ulong count, ulong size) => inner.AllocateZeroed(count, size);

        public ulong AllocateAligned(ulong alignment, ulong size) => inner.AllocateAligned(alignment, size);

        public ulong UsableSize(ulong address) => inner.UsableSize(address);

        public bool Trim(ulong pad) => inner.Trim(pad);

        public AllocatorStatistics GetStatistics() => inner.GetStatistics();

        public HeapCheckResult CheckHeap(HeapCheckLevel level) => inner.CheckHeap(level);
    }

    /// <summary>On free, zaps the first byte of the first block it ever handed out (a stray write the model must catch).</summary>
    private sealed class ScribblingAllocator(IAllocator inner) : IAllocator
    {
        private ulong _first;

        public string Name => "scribbling";

        public ISimulatedOs Os => inner.Os;

        public ulong Allocate(ulong size)
        {
            ulong p = inner.Allocate(size);
            _first = _first == 0 ? p : _first;
            return p;
        }

        public void Free(ulong address)
        {
            inner.Free(address);
            if (address != _first)
            {
                inner.Os.WriteByte(_first, 0xEE);
            }
        }

        public ulong Reallocate(ulong address, ulong size) => inner.Reallocate(address, size);

        public ulong AllocateZeroed(ulong count, ulong size) => inner.AllocateZeroed(count, size);

        public ulong AllocateAligned(ulong alignment, ulong size) => inner.AllocateAligned(alignment, size);

        public ulong UsableSize(ulong address) => inner.UsableSize(address);

        public bool Trim(ulong pad) => inner.Trim(pad);

        public AllocatorStatistics GetStatistics() => inner.GetStatistics();

        public HeapCheckResult CheckHeap(HeapCheckLevel level) => inner.CheckHeap(level);
    }
}
