// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Cli.Commands;

/// <summary>One option of a strategy: property name, type and default value.</summary>
internal sealed record StrategyOptionInfo(string Name, string Type, string DefaultValue);
