// Copyright (c) Allocators contributors. MIT License.

using System.Diagnostics;
using Allocators.Testing;
using Xunit.Abstractions;

namespace Allocators.Strategies.Tests.Properties;

/// <summary>
/// Model-based properties: for each strategy, <see cref="OperationsPerStrategy"/> operations per CI run (malloc, calloc,
/// realloc, memalign, free, trim; a pattern in every block verified later; CheckHeap(Full) after every operation),
/// split over the strategy's fixtures and over many short seeded sequences on fresh allocators so the live set (and so a
/// full check) stays small. ALLOCATORS_PROPERTY_SCALE multiplies the count. The contract suite's property tests
/// (OperationSequences_MatchTheReferenceModel: 60 sequences of up to 120 operations per fixture, checked in full) add
/// a few thousand more; they are not counted here.
/// </summary>
[Trait("Category", "Property")]
public sealed class ModelPropertyTests(ITestOutputHelper output)
{
    /// <summary>The CI-bounded number of fully checked operations per strategy.</summary>
    public const int OperationsPerStrategy = 1_000_000;

    /// <summary>The length of one sequence (one fresh allocator).</summary>
    public const int SequenceLength = 500;

    public static TheoryData<string> Fixtures => StrategyFixtures.Names;

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void RandomSequences_FullCheckAfterEveryOperation_MatchTheModel(string fixture)
    {
        int total = PropertyScale.Scale(OperationsForFixture(fixture));
        ulong maxBytes = Math.Min(StrategyFixtures.Get(fixture).MaxBlockBytesForProperties, 256UL * 1024);
        var clock = Stopwatch.StartNew();
        int done = 0;
        for (ulong seed = 1; done < total; seed++)
        {
            AllocatorOperation[] operations = ModelRun.Sequence(seed, Math.Min(SequenceLength, total - done), maxBytes);
            ModelRun.AssertPasses(fixture, operations, $"sequence seed {seed}");
            done += operations.Length;
        }

        output.WriteLine($"{fixture}: {done:N0} operations with CheckHeap(Full) after each in {clock.Elapsed.TotalSeconds:F1} s ({done / clock.Elapsed.TotalSeconds:N0} ops/s)");
    }

    /// <summary>A strategy's budget, split evenly over its fixtures (glibc and glibc/checked-nocache share glibc's).</summary>
    internal static int OperationsForFixture(string fixture)
    {
        string strategy = Strategy(fixture);
        int fixtures = StrategyFixtures.All.Count(f => Strategy(f.Name) == strategy);
        return (OperationsPerStrategy + fixtures - 1) / fixtures;
    }

    private static string Strategy(string fixture) => fixture.Split('/')[0];
}
