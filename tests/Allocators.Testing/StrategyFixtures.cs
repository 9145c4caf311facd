// Copyright (c) Allocators contributors. MIT License.

using Allocators.Os;
using Allocators.Strategies.Buddy;
using Allocators.Strategies.Mmap;
using Xunit;

namespace Allocators.Testing;

/// <summary>
/// Every strategy (and interesting variant) the shared suites run against. Adding a strategy is one line in
/// <see cref="All"/>; contract tests take <c>[MemberData(nameof(StrategyFixtures.Names), MemberType = typeof(StrategyFixtures))]</c>.
/// </summary>
public static class StrategyFixtures
{
    /// <summary>Gets every fixture.</summary>
    public static IReadOnlyList<StrategyFixture> All { get; } =
    [
        new("mmap", os => new MmapAllocator(os)),
        new("mmap/guards+quarantine", os => new MmapAllocator(os, new MmapAllocatorOptions { GuardPageBefore = true, GuardPageAfter = true, Quarantine = true, QuarantineMaxBlocks = 64 })),
        new("mmap/no-guards", os => new MmapAllocator(os, new MmapAllocatorOptions { GuardPageAfter = false, AlignBlockEndToGuard = false })),
        new("buddy", os => new BuddyAllocator(os)),
        new("buddy/brk-keep0", os => new BuddyAllocator(os, new BuddyAllocatorOptions { RegionSource = BuddyRegionSource.Brk, KeepEmptyRegions = 0 })),
    ];

    /// <summary>Gets the fixture names as xunit theory data.</summary>
    public static TheoryData<string> Names
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (StrategyFixture fixture in All)
            {
                data.Add(fixture.Name);
            }

            return data;
        }
    }

    /// <summary>Finds a fixture by name.</summary>
    public static StrategyFixture Get(string name)
        => All.FirstOrDefault(f => f.Name == name) ?? throw new ArgumentException($"no strategy fixture named '{name}'", nameof(name));

    /// <summary>Builds a fresh OS and the named allocator over it.</summary>
    public static StrategyUnderTest Create(string name, SimulatedOsOptions? osOptions = null)
        => new(Get(name), new SimulatedOs(osOptions));
}
