// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.Linq;
using Allocators.Os;
using Allocators.Strategies;
using BenchmarkDotNet.Attributes;

namespace Allocators.Benchmarks.Infrastructure;

/// <summary>
/// A workload run head to head: <see cref="Simulated"/> executes the workload's <see cref="OperationSequence"/>
/// through the strategy named by <see cref="Strategy"/>, and <see cref="Native"/> (the baseline) executes the
/// same sequence through the process's own glibc, so the ratio column reads "cost per call relative to glibc".
/// </summary>
/// <remarks>
/// Each invocation runs the whole sequence, drain included, so it leaves the heap as it found it and needs no
/// per-iteration setup. Derived classes supply the sequence from their own parameters; it must depend on
/// nothing else, because the custom columns rebuild it (in the BenchmarkDotNet host process) to take the
/// simulation's numbers. BenchmarkDotNet needs benchmark classes public and unsealed.
/// </remarks>
public abstract class HeadToHeadBenchmark
{
    private SimulatedOs? _os;
    private IAllocator? _allocator;
    private Operation[] _operations = [];
    private ulong[] _simulatedSlots = [];
    private ulong[] _nativeSlots = [];

    /// <summary>Gets or sets the strategy under test (a name of <see cref="AllocatorCatalog"/>).</summary>
    [ParamsSource(nameof(Strategies))]
    public string Strategy { get; set; } = "glibc";

    /// <summary>
    /// Gets the strategies this benchmark runs: every strategy of this build, or only
    /// <see cref="ShortSuiteStrategies"/> in the short suite (<see cref="SuiteSelection.IsShort"/>).
    /// </summary>
    public IEnumerable<string> Strategies => AllocatorCatalog.Names
        .Where(AllocatorCatalog.IsAvailable)
        .Where(name => !SuiteSelection.IsShort || ShortSuiteStrategies.Contains(name, StringComparer.Ordinal));

    /// <summary>Gets the strategies the short suite runs for this workload: glibc, plus the strategy the workload targets.</summary>
    protected virtual IReadOnlyList<string> ShortSuiteStrategies => ["glibc"];

    /// <summary>Builds the workload, runs it once untimed on a fresh simulated process (the profile), and creates the strategy.</summary>
    [GlobalSetup]
    public void Setup()
    {
        OperationSequence sequence = CreateSequence();
        _operations = sequence.Operations;
        _simulatedSlots = new ulong[sequence.SlotCount];
        _nativeSlots = new ulong[sequence.SlotCount];
        SimulationProfiles.Remember(this, Profile(sequence));
        _os = new SimulatedOs();
        _allocator = AllocatorCatalog.Create(Strategy, _os);
    }

    /// <summary>Releases the simulated process.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _os?.Dispose();
        _os = null;
        _allocator = null;
        LibC.MallocTrim(0);
    }

    /// <summary>The workload through the simulated strategy.</summary>
    /// <returns>The number of non-null results.</returns>
    [Benchmark]
    public int Simulated() => SequenceRunner.Run(new SimulatedHeap(_allocator!), _operations, _simulatedSlots);

    /// <summary>The same workload through the real glibc (the baseline).</summary>
    /// <returns>The number of non-null results.</returns>
    [Benchmark(Baseline = true)]
    public int Native() => SequenceRunner.Run(default(NativeHeap), _operations, _nativeSlots);

    /// <summary>Runs the workload once on a fresh simulated process and records what it did there.</summary>
    public SimulationProfile MeasureSimulation() => Profile(CreateSequence());

    /// <summary>Builds the workload from the benchmark's parameters (deterministically: same parameters, same sequence).</summary>
    protected abstract OperationSequence CreateSequence();

    private SimulationProfile Profile(OperationSequence sequence)
    {
        using var os = new SimulatedOs();
        IAllocator allocator = AllocatorCatalog.Create(Strategy, os);
        var heap = new SimulatedHeap(allocator);
        var slots = new ulong[sequence.SlotCount];
        ReadOnlySpan<Operation> operations = sequence.Operations;
        SequenceRunner.Run(heap, operations[..sequence.DrainStart], slots);
        AllocatorStatistics atEnd = allocator.GetStatistics();
        SequenceRunner.Run(heap, operations[sequence.DrainStart..], slots);
        AllocatorStatistics afterDrain = allocator.GetStatistics();
        return new SimulationProfile
        {
            Calls = sequence.Length,
            SkippedCalls = sequence.SkippedCalls,
            PeakRssBytes = afterDrain.Os.PeakRssBytes,
            PeakVszBytes = afterDrain.Os.PeakVszBytes,
            Syscalls = afterDrain.Os.Syscalls,
            PageFaults = afterDrain.Os.PageFaults,
            Fragmentation = atEnd.ExternalFragmentation,
            Overhead = atEnd.AllocatedBytes == 0 ? 0 : (double)atEnd.HeldBytes / atEnd.AllocatedBytes,
            FailedAllocations = afterDrain.FailedAllocations,
        };
    }
}
