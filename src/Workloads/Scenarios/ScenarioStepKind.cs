// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads.Scenarios;

/// <summary>What a scenario step does.</summary>
public enum ScenarioStepKind
{
    /// <summary><c>malloc(Size)</c>; the result becomes the next slot.</summary>
    Malloc,

    /// <summary><c>free(slot)</c>.</summary>
    Free,

    /// <summary>Write <c>Size</c> bytes at the start of the slot's block (touches its pages).</summary>
    Touch,

    /// <summary><c>malloc_trim(Size)</c>.</summary>
    Trim,
}
