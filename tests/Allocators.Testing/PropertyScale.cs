// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Testing;

/// <summary>The ALLOCATORS_PROPERTY_SCALE multiplier (default 1, the CI-bounded size) for heavy property and stress runs.</summary>
public static class PropertyScale
{
    /// <summary>The environment variable read.</summary>
    public const string VariableName = "ALLOCATORS_PROPERTY_SCALE";

    /// <summary>Gets the scale factor (≥ 1).</summary>
    public static int Factor
    {
        get
        {
            string? text = Environment.GetEnvironmentVariable(VariableName);
            return int.TryParse(text, out int value) && value >= 1 ? value : 1;
        }
    }

    /// <summary>Scales a CI-bounded count.</summary>
    public static int Scale(int baseCount) => checked(baseCount * Factor);
}
