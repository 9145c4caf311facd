// Copyright (c) Allocators contributors. MIT License.

using Allocators.Testing;

namespace Allocators.Strategies.Tests.BadInput;

/// <summary>
/// Every bad-input case on every strategy fixture: the outcome is asserted exactly (the table in
/// <see cref="BadInputExpectations"/>, rendered into docs/bad-input.md), never an unhandled exception, and the
/// allocator is shown not to be silently corrupted (see <see cref="BadInputRunner"/>).
/// </summary>
[Trait("Category", "BadInput")]
public sealed class BadInputMatrixTests
{
    public static TheoryData<string, string> Pairs
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (BadInputCase badCase in BadInputCases.All)
            {
                foreach (StrategyFixture fixture in StrategyFixtures.All)
                {
                    data.Add(badCase.Name, fixture.Name);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Run_BadInput_OutcomeMatchesTheTable(string badCase, string strategy)
    {
        BadInputResult actual = BadInputRunner.Run(BadInputCases.Get(badCase), strategy);

        Assert.Equal(BadInputExpectations.All[(badCase, strategy)], actual);
        Assert.DoesNotContain("UNHANDLED", actual.Outcome, StringComparison.Ordinal);

        // Never silently corrupted: damage that survives the repair was reported by the call or by the checker.
        bool silent = actual.Outcome.StartsWith("undetected", StringComparison.Ordinal) && actual.Checker == "clean";
        Assert.False(silent && actual.AfterRepair != "consistent", $"{badCase} on {strategy} corrupted the allocator silently: {actual}");
    }

    [Fact]
    public void Expectations_CoverEveryCaseAndStrategyExactlyOnce()
    {
        var pairs = BadInputCases.All.SelectMany(c => StrategyFixtures.All.Select(f => (c.Name, f.Name))).ToHashSet();

        Assert.Equal(pairs.Count, BadInputCases.All.Count * StrategyFixtures.All.Count);
        Assert.True(pairs.SetEquals(BadInputExpectations.All.Keys), "BadInputExpectations must list exactly every (case, fixture) pair");
    }

    [Fact]
    public void Doc_GeneratedTable_MatchesTheExpectations()
    {
        string path = BadInputDoc.DocPath();
        string doc = File.ReadAllText(path).ReplaceLineEndings("\n");
        int begin = doc.IndexOf(BadInputDoc.Begin, StringComparison.Ordinal);
        int end = doc.IndexOf(BadInputDoc.End, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, $"{path} lacks the generated-table markers");
        string rendered = "\n" + BadInputDoc.Render();
        string current = doc[(begin + BadInputDoc.Begin.Length)..end];
        if (Environment.GetEnvironmentVariable(BadInputDoc.UpdateVariable) == "1")
        {
            File.WriteAllText(path, doc[..(begin + BadInputDoc.Begin.Length)] + rendered + doc[end..]);
            return;
        }

        Assert.Equal(rendered, current);
    }
}
