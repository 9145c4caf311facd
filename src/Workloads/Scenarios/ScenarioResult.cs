// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Generic;

namespace Allocators.Workloads.Scenarios;

/// <summary>One scenario checked on the simulation and on the real glibc.</summary>
/// <param name="Name">The scenario's name.</param>
/// <param name="Claim">The claim, phrased plainly (the true one).</param>
/// <param name="SeedNote">Where the seed note says otherwise, what it says; else null.</param>
/// <param name="Holds">Whether the claim holds on the glibc strategy over the simulated OS (null only when that strategy is not in this build).</param>
/// <param name="HoldsOnRealGlibc">Whether it holds on the machine's glibc through the oracle; null when that cannot be told (see <paramref name="Reason"/>).</param>
/// <param name="Reason">Why a verdict is false or null, per side; null when both hold.</param>
/// <param name="Numbers">The numbers per side: <c>simulation</c> and <c>realGlibc</c> (absent when the oracle could not run).</param>
/// <param name="Log">The strace-like log of the simulated run.</param>
/// <param name="RealLog">The oracle's per-call report of the same run on the real glibc (offsets, size words, break), when it ran.</param>
/// <param name="Strategies">The same requests on every strategy, when asked for.</param>
public sealed record ScenarioResult(
    string Name,
    string Claim,
    string? SeedNote,
    bool? Holds,
    bool? HoldsOnRealGlibc,
    string? Reason,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>> Numbers,
    IReadOnlyList<string> Log,
    IReadOnlyList<string> RealLog,
    IReadOnlyList<StrategyComparisonRow>? Strategies);
