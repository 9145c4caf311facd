// Copyright (c) Allocators contributors. MIT License.

using System.CommandLine;
using System.Linq;
using Allocators.Strategies;
using Spectre.Console;

namespace Allocators.Cli.Commands;

/// <summary><c>allocators strategies [--json]</c>: the strategy names, whether each is in this build, and its options with defaults.</summary>
internal static class StrategiesCommand
{
    public static Command Create(CliOutput output)
    {
        var json = CommonOptions.Json();
        var command = new Command("strategies", "List the strategies, their availability and their options (with defaults) for --option KEY=VALUE.")
        {
            json,
        };
        command.SetAction(parse =>
        {
            var rows = AllocatorCatalog.Names.Select(name =>
            {
                bool available = AllocatorCatalog.IsAvailable(name);
                var options = available
                    ? OptionBinder.Describe(AllocatorCatalog.CreateOptions(name)).Select(o => new StrategyOptionInfo(o.Name, o.Type, o.Value)).ToArray()
                    : [];
                return new StrategyInfo(name, available, options);
            }).ToArray();

            if (parse.GetValue(json))
            {
                output.WriteJson(rows);
                return 0;
            }

            var table = new Table().AddColumn("strategy").AddColumn("available").AddColumn("options (default)");
            foreach (var row in rows)
            {
                string options = row.Available
                    ? string.Join("\n", row.Options.Select(o => $"{o.Name}={o.DefaultValue} ({o.Type})"))
                    : "not in this build";
                table.AddRow(row.Name, row.Available ? "yes" : "no", Markup.Escape(options));
            }

            output.Console.Write(table);
            return 0;
        });
        return command;
    }
}
