// Copyright (c) Allocators contributors. MIT License.

using System.Text;
using Allocators.Testing;

namespace Allocators.Strategies.Tests.BadInput;

/// <summary>Renders the generated part of docs/bad-input.md from <see cref="BadInputExpectations"/>.</summary>
internal static class BadInputDoc
{
    public const string Begin = "<!-- generated from BadInputExpectations.cs: begin -->";
    public const string End = "<!-- generated from BadInputExpectations.cs: end -->";

    /// <summary>Set to 1 to rewrite the generated part of the doc instead of comparing it.</summary>
    public const string UpdateVariable = "ALLOCATORS_UPDATE_DOCS";

    public static string Render()
    {
        var text = new StringBuilder();
        foreach (BadInputCase badCase in BadInputCases.All)
        {
            text.Append("### ").Append(badCase.Name).Append('\n').Append('\n');
            text.Append('`').Append(badCase.Description).Append('`').Append('\n').Append('\n');
            text.Append("| strategy | outcome | CheckHeap(Full) before repair | after repair |\n");
            text.Append("|---|---|---|---|\n");
            foreach (StrategyFixture fixture in StrategyFixtures.All)
            {
                BadInputResult r = BadInputExpectations.All[(badCase.Name, fixture.Name)];
                text.Append($"| {fixture.Name} | {Cell(r.Outcome)} | {Cell(r.Checker)} | {Cell(r.AfterRepair)} |\n");
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    public static string DocPath()
    {
        DirectoryInfo? dir = new(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Allocators.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        return Path.Combine(dir.FullName, "docs", "bad-input.md");
    }

    private static string Cell(string value) => value.Replace("|", "\\|", StringComparison.Ordinal);
}
