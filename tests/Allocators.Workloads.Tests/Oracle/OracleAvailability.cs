// Copyright (c) Allocators contributors. MIT License.

using Allocators.Workloads.Oracle;

namespace Allocators.Workloads.Tests.Oracle;

/// <summary>Decides once whether the oracle tests can run: a C compiler must exist and the machine's glibc must be 2.36.</summary>
internal static class OracleAvailability
{
    private static readonly Lazy<string?> s_reason = new(() =>
    {
        if (!GlibcOracle.IsAvailable)
        {
            return "The glibc oracle is unavailable: " + GlibcOracle.UnavailableReason;
        }

        var version = GlibcOracle.Default.GlibcVersion;
        return version == "2.36"
            ? null
            : $"The machine's glibc is {version}; the simulation and these expectations are for glibc 2.36.";
    });

    /// <summary>Gets null when the oracle tests can run, else the reason to skip them.</summary>
    public static string? SkipReason => s_reason.Value;
}
