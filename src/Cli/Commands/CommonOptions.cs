// Copyright (c) Allocators contributors. MIT License.

using System.CommandLine;

namespace Allocators.Cli.Commands;

/// <summary>Options several commands share, created fresh per command.</summary>
internal static class CommonOptions
{
    public static Option<bool> Json() => new("--json") { Description = "Print JSON (camelCase) instead of a table." };
}
