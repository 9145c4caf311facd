// Copyright (c) Allocators contributors. MIT License.

using System.Globalization;

namespace Allocators.Workloads.Scenarios;

/// <summary>One request of a scenario. Every <see cref="ScenarioStepKind.Malloc"/> defines the next slot (0, 1, 2, …).</summary>
/// <param name="Kind">What the step does.</param>
/// <param name="Slot">The slot a free or touch acts on (unused otherwise).</param>
/// <param name="Size">The malloc size, the number of bytes to touch, or the trim pad.</param>
public readonly record struct ScenarioStep(ScenarioStepKind Kind, int Slot, ulong Size)
{
    /// <summary>A malloc of <paramref name="size"/> bytes.</summary>
    public static ScenarioStep Malloc(ulong size) => new(ScenarioStepKind.Malloc, -1, size);

    /// <summary>A free of the block in <paramref name="slot"/>.</summary>
    public static ScenarioStep Free(int slot) => new(ScenarioStepKind.Free, slot, 0);

    /// <summary>Writes <paramref name="bytes"/> bytes from the start of the block in <paramref name="slot"/>.</summary>
    public static ScenarioStep Touch(int slot, ulong bytes) => new(ScenarioStepKind.Touch, slot, bytes);

    /// <summary>A <c>malloc_trim(pad)</c>.</summary>
    public static ScenarioStep Trim(ulong pad) => new(ScenarioStepKind.Trim, -1, pad);

    /// <summary>The step as C, e.g. <c>malloc(1000)</c> or <c>free(p3)</c>.</summary>
    public override string ToString() => Kind switch
    {
        ScenarioStepKind.Malloc => string.Create(CultureInfo.InvariantCulture, $"malloc({Size})"),
        ScenarioStepKind.Free => string.Create(CultureInfo.InvariantCulture, $"free(p{Slot})"),
        ScenarioStepKind.Touch => string.Create(CultureInfo.InvariantCulture, $"memset(p{Slot}, 0xa5, {Size})"),
        _ => string.Create(CultureInfo.InvariantCulture, $"malloc_trim({Size})"),
    };
}
