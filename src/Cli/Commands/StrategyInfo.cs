// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Generic;

namespace Allocators.Cli.Commands;

/// <summary>One strategy of <c>allocators strategies --json</c>.</summary>
internal sealed record StrategyInfo(string Name, bool Available, IReadOnlyList<StrategyOptionInfo> Options);
