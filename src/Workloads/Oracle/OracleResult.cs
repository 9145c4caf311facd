// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Allocators.Workloads.Oracle;

/// <summary>
/// The outcome of running an <see cref="OracleScript"/> on one side (the real glibc or the simulation): one
/// <see cref="OracleStep"/> per completed operation and, when the run stopped early, the operation and the reason.
/// </summary>
public sealed class OracleResult
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="source">Which side produced the result (for messages).</param>
    /// <param name="steps">The completed operations, in order.</param>
    /// <param name="finalBreak">The program break at the end, as an offset from the initial break.</param>
    /// <param name="stoppedAtOperation">The operation that stopped the run, or null when every operation completed.</param>
    /// <param name="signal">The fatal signal (6 for an abort, 11 for a segmentation fault), or null.</param>
    /// <param name="abortMessage">glibc's message (the integrity check that failed), or null.</param>
    /// <param name="initialBreak">The absolute initial program break B0 of the run.</param>
    public OracleResult(string source, IReadOnlyList<OracleStep> steps, ulong finalBreak, int? stoppedAtOperation, int? signal, string? abortMessage, ulong initialBreak)
    {
        InitialBreak = initialBreak;
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(steps);
        Source = source;
        Steps = steps;
        FinalBreak = finalBreak;
        StoppedAtOperation = stoppedAtOperation;
        Signal = signal;
        AbortMessage = abortMessage;
    }

    /// <summary>
    /// Gets the absolute initial program break B0. Offsets do not depend on it, except the placement of blocks
    /// aligned beyond a page (B0 is only page-aligned), so a simulation that must match such a run starts its break here.
    /// </summary>
    public ulong InitialBreak { get; }

    /// <summary>Gets which side produced the result.</summary>
    public string Source { get; }

    /// <summary>Gets the completed operations, in order.</summary>
    public IReadOnlyList<OracleStep> Steps { get; }

    /// <summary>Gets the program break at the end, as an offset from the initial break.</summary>
    public ulong FinalBreak { get; }

    /// <summary>Gets the operation that stopped the run (an abort or a fault), or null when every operation completed.</summary>
    public int? StoppedAtOperation { get; }

    /// <summary>Gets the fatal signal: 6 (SIGABRT) for a failed integrity check, 11 (SIGSEGV) for a fault; null when completed.</summary>
    public int? Signal { get; }

    /// <summary>Gets glibc's abort message (for example <c>free(): double free detected in tcache 2</c>), or null.</summary>
    public string? AbortMessage { get; }

    /// <summary>Gets more about the stop for a reader (the simulation's exception text, the real program's full stderr); not compared.</summary>
    public string? Detail { get; init; }

    /// <summary>Gets a value indicating whether every operation completed.</summary>
    public bool Completed => StoppedAtOperation is null;

    /// <summary>Gets the result in the oracle program's output syntax (without the absolute initial break).</summary>
    /// <returns>The text.</returns>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"# {Source}\n");
        foreach (var step in Steps)
        {
            sb.Append(step.ToString()).Append('\n');
        }

        if (StoppedAtOperation is { } op)
        {
            sb.Append(CultureInfo.InvariantCulture, $"signal {Signal} op={op}: {AbortMessage}\n");
        }
        else
        {
            sb.Append(CultureInfo.InvariantCulture, $"end ops={Steps.Count} b={FinalBreak:x}\n");
        }

        return sb.ToString();
    }
}
