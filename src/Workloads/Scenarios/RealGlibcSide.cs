// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads.Scenarios;

/// <summary>Finds the real glibc side of the scenarios: the oracle program, or why it cannot run here.</summary>
internal static class RealGlibcSide
{
    public static (IScenarioRunner? Runner, string? Reason) Create() =>
        (null, "the glibc oracle is not in this build");
}
