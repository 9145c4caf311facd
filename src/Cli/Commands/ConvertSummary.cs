// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Cli.Commands;

/// <summary>What <c>allocators convert</c> did.</summary>
internal sealed record ConvertSummary(string Input, string Output, string Format, long Records, long OutputBytes);
