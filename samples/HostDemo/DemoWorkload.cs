// Copyright (c) Allocators contributors. MIT License.

using System.Buffers;
using System.Text;
using Allocators;
using Allocators.Hosting;
using Allocators.Strategies.Slab;
using Microsoft.Extensions.DependencyInjection;

namespace HostDemo;

/// <summary>What the demo does with the two allocators the host built.</summary>
internal sealed class DemoWorkload(IAllocator buffers, [FromKeyedServices("objects")] IAllocator objects, [FromKeyedServices("objects")] SlabAllocator slab)
{
    public void Run(TextWriter output)
    {
        output.WriteLine($"default allocator: {buffers.Name}; \"objects\" allocator: {objects.Name}");

        // 1. The default allocator as a MemoryPool<byte>: the spans read and write simulated memory.
        using MemoryPool<byte> pool = buffers.AsMemoryPool();
        var owners = new List<IMemoryOwner<byte>>();
        foreach (int size in new[] { 100, 1000, 10_000, 300_000 })
        {
            IMemoryOwner<byte> owner = pool.Rent(size);
            Encoding.ASCII.GetBytes($"block of {size} bytes", owner.Memory.Span);
            owners.Add(owner);
        }

        foreach (IMemoryOwner<byte> owner in owners)
        {
            string text = Encoding.ASCII.GetString(owner.Memory.Span[..24]).TrimEnd('\0');
            output.WriteLine($"  pool block: {text,-24} (length {owner.Memory.Length})");
        }

        AllocatorStatistics live = buffers.GetStatistics();
        output.WriteLine($"  glibc while rented: {live.LiveBlocks} blocks, {live.AllocatedBytes} bytes, mmap calls {live.Os.Mmap}, brk calls {live.Os.Brk}");
        owners.ForEach(o => o.Dispose());

        // 2. Object churn on the slab allocator, plus a typed cache with a constructor.
        var random = new Random(42);
        var held = new List<ulong>();
        for (int i = 0; i < 20_000; i++)
        {
            if (held.Count > 0 && random.Next(3) == 0)
            {
                int k = random.Next(held.Count);
                objects.Free(held[k]);
                held[k] = held[^1];
                held.RemoveAt(held.Count - 1);
            }
            else
            {
                held.Add(objects.Allocate((ulong)random.Next(8, 600)));
            }
        }

        SlabCache sessions = slab.CreateCache("session", 72, 8, (address, os) => os.WriteUInt64(address, 0x5E55));
        var sessionObjects = Enumerable.Range(0, 100).Select(_ => sessions.Allocate()).ToList();

        output.WriteLine();
        output.Write(SlabInfoFormatter.Format(slab.GetSlabInfo().Where(i => i.TotalSlabs > 0)));
        output.WriteLine();

        sessionObjects.ForEach(sessions.Free);
        held.ForEach(objects.Free);
        output.WriteLine($"  slab after freeing everything: held {objects.GetStatistics().HeldBytes} bytes; reaped {slab.Reap()} bytes; held {objects.GetStatistics().HeldBytes} bytes");
        output.WriteLine();
    }
}
