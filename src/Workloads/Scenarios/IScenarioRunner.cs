// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Generic;

namespace Allocators.Workloads.Scenarios;

/// <summary>Runs a list of scenario steps in a fresh process on one side.</summary>
internal interface IScenarioRunner
{
    /// <summary>The side's name (a strategy name or <c>real glibc</c>).</summary>
    string Side { get; }

    /// <summary>Whether the side reports the chunk size word before each pointer.</summary>
    bool HasSizeWords { get; }

    /// <summary>Runs <paramref name="steps"/> in a fresh process.</summary>
    ScenarioRun Run(IReadOnlyList<ScenarioStep> steps);
}
