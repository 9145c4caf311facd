// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.Globalization;
using Allocators.Strategies;

namespace Allocators.Workloads.Scenarios;

/// <summary>Runs scenario steps on a strategy over a fresh simulated OS, observing its statistics and syscall log.</summary>
internal sealed class SimulatedScenarioRunner : IScenarioRunner
{
    private const byte TouchByte = 0xa5;
    private readonly Func<ISimulatedOs> _osFactory;
    private readonly IEnumerable<KeyValuePair<string, string>>? _options;

    public SimulatedScenarioRunner(string strategy, Func<ISimulatedOs> osFactory, IEnumerable<KeyValuePair<string, string>>? options = null)
    {
        Side = strategy;
        _osFactory = osFactory;
        _options = options;
    }

    public string Side { get; }

    public bool HasSizeWords => string.Equals(Side, "glibc", StringComparison.Ordinal);

    public ScenarioRun Run(IReadOnlyList<ScenarioStep> steps)
    {
        var os = _osFactory();
        try
        {
            return RunOn(os, steps);
        }
        finally
        {
            (os as IDisposable)?.Dispose();
        }
    }

    private ScenarioRun RunOn(ISimulatedOs os, IReadOnlyList<ScenarioStep> steps)
    {
        var pending = new List<string>();
        os.SyscallObserver = record => pending.Add("    " + record.ToStraceString());
        var allocator = AllocatorCatalog.Create(Side, os, _options);
        ulong b0 = os.InitialBreak;
        var baseline = os.GetStatistics();
        var slots = new List<ulong>();
        var observations = new List<StepObservation>(steps.Count);
        long breakMoves = 0;
        ulong peakVsz = baseline.VszBytes;
        ulong peakRss = baseline.RssBytes;

        for (int i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            ulong breakBefore = os.CurrentBreak;
            ulong result = 0;
            string call;
            switch (step.Kind)
            {
                case ScenarioStepKind.Malloc:
                    result = allocator.Allocate(step.Size);
                    slots.Add(result);
                    call = $"p{slots.Count - 1} = malloc({step.Size}) = {Hex(result)}";
                    break;
                case ScenarioStepKind.Free:
                    allocator.Free(slots[step.Slot]);
                    call = $"free(p{step.Slot} = {Hex(slots[step.Slot])})";
                    break;
                case ScenarioStepKind.Touch:
                    os.Fill(slots[step.Slot], step.Size, TouchByte);
                    call = $"memset(p{step.Slot}, 0xa5, {step.Size})";
                    break;
                default:
                    bool released = allocator.Trim(step.Size);
                    call = $"malloc_trim({step.Size}) = {(released ? 1 : 0)}";
                    break;
            }

            var stats = os.GetStatistics();
            if (os.CurrentBreak != breakBefore)
            {
                breakMoves++;
            }

            peakVsz = Math.Max(peakVsz, Math.Max(stats.VszBytes, stats.PeakVszBytes));
            peakRss = Math.Max(peakRss, Math.Max(stats.RssBytes, stats.PeakRssBytes));
            var place = PointerPlace.None;
            ulong offset = 0;
            ulong? sizeWord = null;
            if (result != 0)
            {
                if (HasSizeWords && result >= 8 && os.IsAccessible(result - 8, 8, Protection.Read))
                {
                    sizeWord = os.ReadUInt64(result - 8);
                }

                bool inHeap = result >= b0 && result < os.CurrentBreak;
                bool mmappedBit = sizeWord is { } word && (word & 2) != 0;
                place = inHeap && !mmappedBit ? PointerPlace.Heap : PointerPlace.Mapped;
                offset = place == PointerPlace.Heap ? result - b0 : result % (ulong)os.PageSize;
            }

            var log = new List<string>(pending.Count + 1) { call };
            log.AddRange(pending);
            pending.Clear();
            observations.Add(new StepObservation(
                i,
                step,
                place,
                offset,
                sizeWord,
                os.CurrentBreak - b0,
                breakMoves,
                stats.Mmap - baseline.Mmap,
                stats.Munmap - baseline.Munmap,
                stats.Syscalls - baseline.Syscalls,
                stats.VszBytes,
                stats.RssBytes,
                stats.PageFaults - baseline.PageFaults,
                log));
        }

        os.SyscallObserver = null;
        var final = os.GetStatistics();
        var delta = final with
        {
            Brk = final.Brk - baseline.Brk,
            Mmap = final.Mmap - baseline.Mmap,
            Munmap = final.Munmap - baseline.Munmap,
            Mremap = final.Mremap - baseline.Mremap,
            Mprotect = final.Mprotect - baseline.Mprotect,
            Madvise = final.Madvise - baseline.Madvise,
            PageFaults = final.PageFaults - baseline.PageFaults,
            PeakVszBytes = peakVsz,
            PeakRssBytes = peakRss,
        };
        return new ScenarioRun(Side, observations, baseline.VszBytes, baseline.RssBytes, peakVsz, peakRss, delta);
    }

    private static string Hex(ulong value) => value == 0 ? "NULL" : "0x" + value.ToString("x", CultureInfo.InvariantCulture);
}
