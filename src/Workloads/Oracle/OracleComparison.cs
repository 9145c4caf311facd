// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads.Oracle;

/// <summary>The outcome of <see cref="OracleComparer.Compare"/>.</summary>
/// <param name="IsMatch">True when both sides agree on every operation.</param>
/// <param name="MismatchOperation">The first operation where they disagree, or null.</param>
/// <param name="Description">What differs, with the operations around it on both sides; "match" when they agree.</param>
public sealed record OracleComparison(bool IsMatch, int? MismatchOperation, string Description);
