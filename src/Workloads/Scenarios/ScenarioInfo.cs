// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads.Scenarios;

/// <summary>A scenario's name and claim.</summary>
/// <param name="Name">The name, e.g. <c>pool-132k</c>.</param>
/// <param name="Claim">The claim, phrased plainly.</param>
public sealed record ScenarioInfo(string Name, string Claim);
