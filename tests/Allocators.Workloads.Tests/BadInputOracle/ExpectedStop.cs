// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads.Tests.BadInputOracle;

/// <summary>Where glibc stops a script: the operation, the signal (6 abort, 11 SIGSEGV) and the abort message.</summary>
internal readonly record struct ExpectedStop(int Operation, int Signal, string? Message);
