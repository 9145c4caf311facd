// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads.Tests.Oracle;

/// <summary>A fact that runs against the real glibc; skipped with the reason when the oracle cannot run here.</summary>
public sealed class OracleFactAttribute : FactAttribute
{
    public OracleFactAttribute()
    {
        Skip = OracleAvailability.SkipReason;
    }
}
