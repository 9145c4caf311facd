// Copyright (c) Allocators contributors. MIT License.

using System.CommandLine;

namespace Allocators.Cli.Commands;

/// <summary>Options several commands share, created fresh per command.</summary>
internal static class CommonOptions
{
    public static Option<string[]> StrategyOptions() => new("--option")
    {
        Description = "A strategy option KEY=VALUE (property of its options class; kebab-case, K/M/G suffixes accepted). Repeatable.",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    public static Option<bool> NoTouch() => new("--no-touch")
    {
        Description = "Do not touch the pages of allocated blocks: RSS then shows only what the allocator itself writes (headers, links).",
    };

    public static Option<bool> Json() => new("--json") { Description = "Print JSON (camelCase) instead of a table." };
}
