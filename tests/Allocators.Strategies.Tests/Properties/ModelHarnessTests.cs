// Copyright (c) Allocators contributors. MIT License.

using Allocators.Strategies.Glibc;
using Allocators.Testing;

namespace Allocators.Strategies.Tests.Properties;

/// <summary>The property harness itself: it catches a seeded bug and shrinks the counterexample to its core.</summary>
[Trait("Category", "Property")]
public sealed class ModelHarnessTests
{
    [Fact]
    public void Shrink_ReallocThatLosesAByte_FoundAndShrunkToMallocPlusRealloc()
    {
        static IAllocator Broken(ISimulatedOs os) => new ContentsLosingAllocator(new GlibcAllocator(os));
        AllocatorOperation[]? failing = null;
        for (ulong seed = 1; seed < 200 && failing is null; seed++)
        {
            AllocatorOperation[] candidate = ModelRun.Sequence(seed, ModelPropertyTests.SequenceLength, 256 * 1024);
            if (ModelRun.Try(Broken, candidate) is not null)
            {
                failing = candidate;
            }
        }

        Assert.NotNull(failing);
        AllocatorOperation[] minimal = ModelRun.Shrink(Broken, failing);

        Assert.NotNull(ModelRun.Try(Broken, minimal));
        Assert.Equal(2, minimal.Length);
        Assert.Equal(OperationKind.Realloc, minimal[1].Kind);
        Assert.True(minimal[1].Size > ContentsLosingAllocator.Threshold);
        Assert.Null(ModelRun.Try(StrategyFixtures.Get("glibc").Factory, minimal));
    }
}
