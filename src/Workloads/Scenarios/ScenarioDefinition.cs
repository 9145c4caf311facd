// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;

namespace Allocators.Workloads.Scenarios;

/// <summary>A named claim, the check that measures it on one side, and the requests used for the strategy comparison.</summary>
internal sealed class ScenarioDefinition
{
    private readonly Func<IScenarioRunner, SideVerdict> _check;

    public ScenarioDefinition(string name, string claim, string? seedNote, IReadOnlyList<ScenarioStep> comparisonSteps, Func<IScenarioRunner, SideVerdict> check)
    {
        Name = name;
        Claim = claim;
        SeedNote = seedNote;
        ComparisonSteps = comparisonSteps;
        _check = check;
    }

    public string Name { get; }

    public string Claim { get; }

    /// <summary>Where the seed note says something else, what it says (null when the note is right).</summary>
    public string? SeedNote { get; }

    public IReadOnlyList<ScenarioStep> ComparisonSteps { get; }

    public SideVerdict Check(IScenarioRunner side) => _check(side);
}
