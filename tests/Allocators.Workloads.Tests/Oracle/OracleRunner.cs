// Copyright (c) Allocators contributors. MIT License.

using Allocators.Workloads.Oracle;

namespace Allocators.Workloads.Tests.Oracle;

/// <summary>Test helpers: run script text on the real glibc.</summary>
internal static class OracleRunner
{
    public static OracleResult Real(string scriptText, IReadOnlyDictionary<string, string>? environment = null)
        => GlibcOracle.Default.Run(OracleScript.Parse(scriptText), environment);

    /// <summary>Joins lines with newlines; ';' separates operations on one line for compact test tables.</summary>
    public static string Lines(string compact) => compact.Replace(';', '\n');

    public static OracleStep Step(this OracleResult result, int index)
    {
        Assert.True(index < result.Steps.Count, $"Operation {index} did not complete:\n{result}");
        return result.Steps[index];
    }
}
