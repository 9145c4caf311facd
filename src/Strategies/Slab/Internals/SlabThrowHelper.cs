// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Diagnostics.CodeAnalysis;

namespace Allocators.Strategies.Slab;

/// <summary>Out-of-line throws, so the allocate and free fast paths stay small.</summary>
internal static class SlabThrowHelper
{
    public const string Strategy = SlabAllocator.StrategyName;

    [DoesNotReturn]
    public static void NotObjectStart(string operation, ulong address, SlabDescriptor slab, string why)
        => throw new AllocatorArgumentException(
            Strategy,
            operation,
            address,
            $"address is not the start of an object: {why} (cache={slab.Cache.Name}, slab=0x{slab.Base:x}, first object=0x{slab.FirstObject:x}, object size={slab.Cache.Stride})");

    [DoesNotReturn]
    public static void DoubleFree(string operation, ulong address, SlabDescriptor slab, int index)
        => throw new HeapCorruptionException(
            Strategy,
            operation,
            address,
            "double free: object already free",
            $"cache={slab.Cache.Name}, slab=0x{slab.Base:x}, index={index}");

    [DoesNotReturn]
    public static void UseOfFreeObject(string operation, ulong address, SlabDescriptor slab, int index)
        => throw new AllocatorArgumentException(
            Strategy,
            operation,
            address,
            $"address is a free object (cache={slab.Cache.Name}, slab=0x{slab.Base:x}, index={index})");

    [DoesNotReturn]
    public static void WrongCache(string operation, ulong address, SlabCache expected, SlabCache actual)
        => throw new AllocatorArgumentException(
            Strategy,
            operation,
            address,
            $"object belongs to cache '{actual.Name}', not to cache '{expected.Name}'");

    [DoesNotReturn]
    public static void TypedObjectThroughMalloc(string operation, ulong address, SlabCache cache)
        => throw new AllocatorArgumentException(
            Strategy,
            operation,
            address,
            $"object belongs to the typed cache '{cache.Name}'; release it with SlabCache.Free");

    [DoesNotReturn]
    public static void NotOwned(string operation, ulong address, string? cacheName = null)
        => throw new AllocatorArgumentException(
            Strategy,
            operation,
            address,
            cacheName is null
                ? "address was not allocated by this allocator or is already freed"
                : $"address is not an object of any slab (cache={cacheName})");

    [DoesNotReturn]
    public static void InsideLargeBlock(string operation, ulong address, ulong start, ulong length)
        => throw new AllocatorArgumentException(
            Strategy,
            operation,
            address,
            $"address is inside a page-level block, not at its start (block=0x{start:x}, length={length})");

    [DoesNotReturn]
    public static void FreePointerCorrupt(ulong address, ulong next, SlabDescriptor slab)
        => throw new HeapCorruptionException(
            Strategy,
            "Allocate",
            address,
            "free pointer corrupt",
            $"cache={slab.Cache.Name}, slab=0x{slab.Base:x}, next=0x{next:x}, free objects={slab.SlabFree}");

    [DoesNotReturn]
    public static void Reentered()
        => throw new InvalidOperationException("SlabAllocator: a constructor or destructor callback called back into its allocator, which is not allowed.");

    [DoesNotReturn]
    public static void CacheDestroyed(string name)
        => throw new ObjectDisposedException(nameof(SlabCache), $"The slab cache '{name}' has been destroyed.");
}
