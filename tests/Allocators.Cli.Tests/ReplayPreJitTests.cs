// Copyright (c) Allocators contributors. MIT License.

using System.Reflection;
using Allocators.Cli.Services;

namespace Allocators.Cli.Tests;

public sealed class ReplayPreJitTests
{
    [Theory]
    [InlineData(new[] { "replay", "t.trace", "--strategy", "glibc" }, "glibc")]
    [InlineData(new[] { "replay", "-s", "slab", "t.trace" }, "slab")]
    [InlineData(new[] { "replay", "t.trace", "--strategy=buddy" }, "buddy")]
    [InlineData(new[] { "replay", "t.trace", "--strategy:mmap", "--drain" }, "mmap")]
    public void StrategyOf_ReplayCommandLine_NamesTheStrategy(string[] args, string expected)
    {
        Assert.Equal(expected, ReplayPreJit.StrategyOf(args));
    }

    [Theory]
    [InlineData("")]
    [InlineData("compare t.trace --strategy glibc")]
    [InlineData("replay t.trace")]
    [InlineData("replay t.trace --strategy")]
    public void StrategyOf_NotAReplayWithStrategy_Null(string commandLine)
    {
        Assert.Null(ReplayPreJit.StrategyOf(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public void StartFor_OtherCommand_StartsNothing()
    {
        Assert.Null(ReplayPreJit.StartFor(["strategies"]));
    }

    [Theory]
    [InlineData("glibc", "Allocators.Strategies.Glibc")]
    [InlineData("slab", "Allocators.Strategies.Slab")]
    public void MethodsFor_Strategy_OnlyAlwaysJittedMethodsOfThatStrategyAndTheEngine(string strategy, string strategyNamespace)
    {
        var methods = ReplayPreJit.MethodsFor(strategy).ToList();

        Assert.Contains(methods, m => m.DeclaringType!.Namespace == "Allocators.Workloads");
        Assert.All(methods, m =>
        {
            Assert.NotEqual(0, (int)(m.MethodImplementationFlags & MethodImplAttributes.AggressiveOptimization));
            string ns = m.DeclaringType!.Namespace!;
            Assert.True(
                ns == strategyNamespace || !ns.StartsWith("Allocators.Strategies", StringComparison.Ordinal),
                $"{m.DeclaringType}.{m.Name} belongs to another strategy");
        });
    }

    [Fact]
    public void MethodsFor_Glibc_IncludesTheParserButNotTheTieredStrategy()
    {
        var names = ReplayPreJit.MethodsFor("glibc").Select(m => m.DeclaringType!.Name + "." + m.Name).ToList();

        // The parser stays always-optimized; the glibc strategy tiers up (from ReadyToRun code in the published tool)
        // to dynamic-PGO code, so there is nothing of it to compile ahead.
        Assert.Contains("TraceTextFormat.TryParseLine", names);
        Assert.DoesNotContain("GlibcAllocator.Free", names);
    }

    [Fact]
    public void Compile_UnknownStrategy_CompilesNothing()
    {
        Assert.Empty(ReplayPreJit.MethodsFor("no-such-strategy"));
        Assert.Equal(0, ReplayPreJit.Compile("no-such-strategy"));
    }

    [Fact]
    public void Compile_Glibc_PreparesEveryMethod()
    {
        Assert.Equal(ReplayPreJit.MethodsFor("glibc").Count(), ReplayPreJit.Compile("glibc"));
    }
}
