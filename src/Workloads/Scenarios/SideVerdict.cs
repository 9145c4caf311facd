// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Generic;

namespace Allocators.Workloads.Scenarios;

/// <summary>A scenario's claim checked on one side: the verdict, why it is unknown when it is, and the numbers it rests on.</summary>
/// <param name="Holds">Whether the claim holds; <see langword="null"/> when the side cannot tell.</param>
/// <param name="Reason">Why <paramref name="Holds"/> is null or false (or a note), else <see langword="null"/>.</param>
/// <param name="Numbers">The measured numbers, by name (camelCase), in presentation order.</param>
/// <param name="Log">The strace-like log of the main run (simulation only; empty otherwise).</param>
public sealed record SideVerdict(bool? Holds, string? Reason, IReadOnlyDictionary<string, object?> Numbers, IReadOnlyList<string> Log);
