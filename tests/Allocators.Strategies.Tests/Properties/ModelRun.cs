// Copyright (c) Allocators contributors. MIT License.

using Allocators.Os;
using Allocators.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace Allocators.Strategies.Tests.Properties;

/// <summary>
/// Runs seeded operation sequences through <see cref="ModelChecker"/> with the full checker after every operation,
/// and shrinks a failing sequence (greedily, with <see cref="OperationGenerators.Shrink"/>) to a minimal one that is
/// printed ready to be pinned as a regression test.
/// </summary>
internal static class ModelRun
{
    public static ModelCheckerOptions Options => new() { CheckLevel = HeapCheckLevel.Full, VerifyAllEvery = 8, MaxLiveBlocks = 24 };

    /// <summary>Generates sequence number <paramref name="seed"/> (deterministic).</summary>
    public static AllocatorOperation[] Sequence(ulong seed, int length, ulong maxBytes)
        => OperationGenerators.Operation(maxBytes).Sample(length, new Rnd(seed), length);

    /// <summary>Runs one sequence on a fresh allocator of the fixture; returns the failure or null.</summary>
    public static ModelCheckException? Try(string strategy, AllocatorOperation[] operations)
        => Try(StrategyFixtures.Get(strategy).Factory, operations);

    /// <summary>Runs one sequence on a fresh allocator from <paramref name="factory"/>; returns the failure or null.</summary>
    public static ModelCheckException? Try(Func<ISimulatedOs, IAllocator> factory, AllocatorOperation[] operations)
    {
        using var os = new SimulatedOs();
        try
        {
            ModelChecker.Check(factory(os), operations, Options);
            return null;
        }
        catch (ModelCheckException ex)
        {
            return ex;
        }
    }

    /// <summary>Fails with the minimal sequence when <paramref name="operations"/> fails.</summary>
    public static void AssertPasses(string strategy, AllocatorOperation[] operations, string label)
    {
        if (Try(strategy, operations) is null)
        {
            return;
        }

        Func<ISimulatedOs, IAllocator> factory = StrategyFixtures.Get(strategy).Factory;
        AllocatorOperation[] minimal = Shrink(factory, operations);
        ModelCheckException minimalFailure = Try(factory, minimal)!;
        Assert.Fail($"{strategy} {label}: {operations.Length} operations failed; shrunk to {minimal.Length}:\n"
            + string.Join("\n", minimal.Select(o => "  " + o)) + "\n" + minimalFailure.Message);
    }

    /// <summary>Greedily shrinks a failing sequence: keeps taking the first smaller candidate that still fails.</summary>
    public static AllocatorOperation[] Shrink(Func<ISimulatedOs, IAllocator> factory, AllocatorOperation[] failing)
    {
        AllocatorOperation[] minimal = failing;
        for (int round = 0; round < 2000; round++)
        {
            AllocatorOperation[]? smaller = OperationGenerators.Shrink(minimal).Take(400).FirstOrDefault(c => Try(factory, c) is not null);
            if (smaller is null)
            {
                break;
            }

            minimal = smaller;
        }

        return minimal;
    }
}
