// Copyright (c) Allocators contributors. MIT License.

using Allocators.Strategies.Buddy;
using Allocators.Strategies.Glibc;
using Allocators.Strategies.Mmap;
using Allocators.Strategies.Slab;

namespace Allocators.Workloads.Tests.Infrastructure;

/// <summary>The strategies available on this branch, by name, as replay factories.</summary>
internal static class TestStrategies
{
    public static IReadOnlyDictionary<string, Func<ISimulatedOs, IAllocator>> All { get; } = new Dictionary<string, Func<ISimulatedOs, IAllocator>>
    {
        ["bump"] = os => new BumpAllocator(os),
        ["mmap"] = os => new MmapAllocator(os),
        ["glibc"] = os => new GlibcAllocator(os),
        ["buddy"] = os => new BuddyAllocator(os),
        ["slab"] = os => new SlabAllocator(os),
    };

    public static TheoryData<string> Names => [.. All.Keys];
}
