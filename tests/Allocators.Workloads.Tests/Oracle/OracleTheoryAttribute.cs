// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads.Tests.Oracle;

/// <summary>A theory that runs against the real glibc; skipped with the reason when the oracle cannot run here.</summary>
public sealed class OracleTheoryAttribute : TheoryAttribute
{
    public OracleTheoryAttribute()
    {
        Skip = OracleAvailability.SkipReason;
    }
}
