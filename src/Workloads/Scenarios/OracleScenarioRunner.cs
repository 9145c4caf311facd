// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.Globalization;
using Allocators.Workloads.Oracle;

namespace Allocators.Workloads.Scenarios;

/// <summary>
/// Runs scenario steps on the machine's real glibc through the oracle program (a fresh process per run). After every
/// step the oracle also calls mallinfo2 (which neither allocates nor consolidates), so each observation carries glibc's
/// own accounting: VSZ held = <c>arena + hblkhd</c>, live mmapped chunks = <c>hblks</c>. mmaps are counted from
/// results with the mmapped bit; munmaps as mmaps less the live mmapped chunks. A <c>memstat</c> before the first
/// step and after every step reads the real process's resident bytes (/proc/self/statm) and minor page faults
/// (getrusage): whole-process numbers, so the scenarios use their differences.
/// </summary>
internal sealed class OracleScenarioRunner : IScenarioRunner
{
    private const byte TouchByte = 0xa5;
    private readonly GlibcOracle _oracle;

    public OracleScenarioRunner(GlibcOracle oracle) => _oracle = oracle;

    public string Side => "real glibc";

    public bool HasSizeWords => true;

    public ScenarioRun Run(IReadOnlyList<ScenarioStep> steps)
    {
        var operations = new List<OracleOperation>((steps.Count * 3) + 1) { OracleOperation.MemStat() };
        foreach (var step in steps)
        {
            operations.Add(step.Kind switch
            {
                ScenarioStepKind.Malloc => OracleOperation.Malloc(step.Size),
                ScenarioStepKind.Free => OracleOperation.Free(step.Slot),
                ScenarioStepKind.Touch => OracleOperation.Fill(step.Slot, 0, step.Size, TouchByte),
                _ => OracleOperation.Trim(step.Size),
            });
            operations.Add(OracleOperation.Mallinfo2());
            operations.Add(OracleOperation.MemStat());
        }

        var result = _oracle.Run(new OracleScript(operations));
        if (!result.Completed || result.Steps.Count != operations.Count)
        {
            throw new InvalidOperationException($"the oracle stopped early: {result}");
        }

        OracleStep baseline = result.Steps[0];
        ulong baselineFaults = baseline.MinorFaults ?? 0;
        var observations = new List<StepObservation>(steps.Count);
        ulong previousBreak = 0;
        long breakMoves = 0;
        long mmaps = 0;
        for (int i = 0; i < steps.Count; i++)
        {
            var call = result.Steps[(3 * i) + 1];
            var info = result.Steps[(3 * i) + 2].Mallinfo
                ?? throw new InvalidOperationException($"the oracle gave no mallinfo2 after step {i}");
            var memory = result.Steps[(3 * i) + 3];
            if (call.Break != previousBreak)
            {
                breakMoves++;
                previousBreak = call.Break;
            }

            var place = call.Pointer.Kind switch
            {
                OraclePointerKind.Heap => PointerPlace.Heap,
                OraclePointerKind.Mmap => PointerPlace.Mapped,
                _ => PointerPlace.None,
            };
            if (place == PointerPlace.Mapped)
            {
                mmaps++;
            }

            string text = Describe(steps[i], call, place, info);
            observations.Add(new StepObservation(
                i,
                steps[i],
                place,
                call.Pointer.Offset,
                place == PointerPlace.None ? null : call.SizeWord,
                call.Break,
                breakMoves,
                mmaps,
                mmaps - (long)info.MmapBlocks,
                null,
                info.Arena + info.MmapBytes,
                memory.ResidentBytes,
                memory.MinorFaults is { } faults ? (long)(faults - baselineFaults) : null,
                [text]));
        }

        return new ScenarioRun(Side, observations, 0, baseline.ResidentBytes, null, null);
    }

    private static string Describe(ScenarioStep step, OracleStep call, PointerPlace place, OracleMallinfo info)
    {
        string result = place switch
        {
            PointerPlace.Heap => string.Create(CultureInfo.InvariantCulture, $" = heap+0x{call.Pointer.Offset:x} (size word 0x{call.SizeWord:x})"),
            PointerPlace.Mapped => string.Create(CultureInfo.InvariantCulture, $" = mmapped, page offset 0x{call.Pointer.Offset:x} (size word 0x{call.SizeWord:x})"),
            _ when step.Kind == ScenarioStepKind.Malloc => " = NULL",
            _ => string.Empty,
        };
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{step}{result}; break heap+0x{call.Break:x}; mallinfo2 arena={info.Arena} hblks={info.MmapBlocks} hblkhd={info.MmapBytes}");
    }
}
