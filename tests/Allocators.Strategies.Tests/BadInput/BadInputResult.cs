// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Strategies.Tests.BadInput;

/// <summary>What one strategy did with one bad-input case.</summary>
/// <param name="Outcome">The error (kind, step, check) or the note of a normal return.</param>
/// <param name="Checker">What <c>CheckHeap(Full)</c> said right after the case, before any repair ("clean" or the failure ids).</param>
/// <param name="AfterRepair">What it said once the corrupted bytes were put back ("consistent", or "flagged: ids" when the
/// strategy had already copied the corruption into its own metadata).</param>
internal sealed record BadInputResult(string Outcome, string Checker, string AfterRepair);
