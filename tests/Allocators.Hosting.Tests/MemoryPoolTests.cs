// Copyright (c) Allocators contributors. MIT License.

using System.Buffers;
using System.Runtime.InteropServices;
using Allocators.Os;
using Allocators.Strategies.Buddy;
using Allocators.Strategies.Glibc;
using Allocators.Strategies.Mmap;
using Allocators.Strategies.Slab;

namespace Allocators.Hosting.Tests;

public sealed class MemoryPoolTests
{
    public static TheoryData<string> Strategies => new() { "glibc", "buddy", "slab", "mmap" };

    [Theory]
    [MemberData(nameof(Strategies))]
    public void Rent_WriteThroughSpan_LandsInSimulatedMemoryAndDisposeFrees(string strategy)
    {
        using var os = new SimulatedOs();
        IAllocator allocator = Create(strategy, os);
        using MemoryPool<byte> pool = allocator.AsMemoryPool();

        IMemoryOwner<byte> owner = pool.Rent(1000);
        Assert.Equal(1000, owner.Memory.Length);
        Span<byte> span = owner.Memory.Span;
        for (int i = 0; i < span.Length; i++)
        {
            span[i] = (byte)(i * 31);
        }

        Assert.True(MemoryMarshal.TryGetMemoryManager<byte, AllocatorMemoryOwner>(owner.Memory, out AllocatorMemoryOwner? manager));
        ulong address = manager!.Address;
        var copy = new byte[1000];
        os.Read(address, copy);                       // the bytes are in the block's simulated memory
        Assert.Equal(span.ToArray(), copy);
        os.WriteByte(address + 7, 0xEE);              // and simulated writes show through the span
        Assert.Equal(0xEE, owner.Memory.Span[7]);
        Assert.Equal(1, allocator.GetStatistics().LiveBlocks);

        owner.Dispose();
        Assert.Equal(0, allocator.GetStatistics().LiveBlocks);
        Assert.Throws<ObjectDisposedException>(() => owner.Memory);
        owner.Dispose();                              // twice is harmless
        Assert.Equal(1, allocator.GetStatistics().Frees);
    }

    [Fact]
    public void Memory_UsedAfterDispose_Throws()
    {
        using var os = new SimulatedOs();
        using MemoryPool<byte> pool = new SlabAllocator(os).AsMemoryPool();
        IMemoryOwner<byte> owner = pool.Rent(64);
        Memory<byte> memory = owner.Memory;
        owner.Dispose();
        Assert.Throws<ObjectDisposedException>(() => memory.Span.Length);
        Assert.Throws<ObjectDisposedException>(() => memory.Pin());
    }

    [Fact]
    public void Rent_Default_Gives4096BytesAndPinPointsAtTheSpan()
    {
        using var os = new SimulatedOs();
        using MemoryPool<byte> pool = new GlibcAllocator(os).AsMemoryPool();
        using IMemoryOwner<byte> owner = pool.Rent();
        Assert.Equal(4096, owner.Memory.Length);
        owner.Memory.Span[10] = 42;
        using MemoryHandle handle = owner.Memory.Pin();
        Assert.Equal(42, Marshal.ReadByte(PointerOf(handle), 10));

        using IMemoryOwner<byte> empty = pool.Rent(0);
        Assert.True(empty.Memory.IsEmpty);
    }

    [Fact]
    public void Rent_ManyBlocks_DoNotOverlapAndKeepContents()
    {
        using var os = new SimulatedOs();
        using MemoryPool<byte> pool = new BuddyAllocator(os).AsMemoryPool();
        var owners = Enumerable.Range(1, 50).Select(i => pool.Rent(i * 37)).ToList();
        for (int i = 0; i < owners.Count; i++)
        {
            owners[i].Memory.Span.Fill((byte)i);
        }

        for (int i = 0; i < owners.Count; i++)
        {
            Assert.All(owners[i].Memory.Span.ToArray(), b => Assert.Equal((byte)i, b));
            owners[i].Dispose();
        }
    }

    [Fact]
    public void Rent_AllocatorFails_ThrowsOutOfMemoryNamingTheAllocator()
    {
        using var os = new SimulatedOs();
        var allocator = new MmapAllocator(os);
        using MemoryPool<byte> pool = allocator.AsMemoryPool();
        os.Faults.FailNextMmap(5);
        var ex = Assert.Throws<OutOfMemoryException>(() => pool.Rent(100));
        Assert.Contains("mmap", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(-2));
        pool.Dispose();
        Assert.Throws<ObjectDisposedException>(() => pool.Rent(1));
    }

    private static unsafe nint PointerOf(MemoryHandle handle) => (nint)handle.Pointer;

    private static IAllocator Create(string strategy, ISimulatedOs os) => strategy switch
    {
        "glibc" => new GlibcAllocator(os),
        "buddy" => new BuddyAllocator(os),
        "slab" => new SlabAllocator(os),
        _ => new MmapAllocator(os),
    };
}
