// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.Linq;
using Allocators.Os;
using Allocators.Strategies;

namespace Allocators.Workloads.Scenarios;

/// <summary>
/// Runs the seed note's scenarios: each claim measured on the glibc strategy over a fresh simulated OS and on the
/// machine's real glibc through the oracle, side by side, optionally with the same requests on every strategy.
/// </summary>
public sealed class ScenarioEngine
{
    private const string SimulatedStrategy = "glibc";
    private readonly Func<ISimulatedOs> _osFactory;
    private readonly Lazy<(IScenarioRunner? Runner, string? Reason)> _real;

    /// <summary>Creates the engine.</summary>
    /// <param name="useRealGlibc">Whether to run each claim on the real glibc too (needs a C compiler for the oracle).</param>
    /// <param name="osFactory">Creates the simulated OS of each run (default: a <see cref="SimulatedOs"/> with default options).</param>
    public ScenarioEngine(bool useRealGlibc = true, Func<ISimulatedOs>? osFactory = null)
        : this(osFactory, useRealGlibc ? RealGlibcSide.Create : static () => (null, "not requested"))
    {
    }

    internal ScenarioEngine(Func<ISimulatedOs>? osFactory, Func<(IScenarioRunner? Runner, string? Reason)> realSide)
    {
        _osFactory = osFactory ?? (static () => new SimulatedOs());
        _real = new Lazy<(IScenarioRunner?, string?)>(realSide);
    }

    /// <summary>Every scenario's name and claim, in order.</summary>
    public static IReadOnlyList<ScenarioInfo> Scenarios { get; } =
        SeedScenarios.All.Select(s => new ScenarioInfo(s.Name, s.Claim)).ToArray();

    /// <summary>Why the real glibc side is not available, or null when it is.</summary>
    public string? RealGlibcUnavailableReason => _real.Value.Reason;

    /// <summary>Runs the named scenarios (all when <paramref name="names"/> is null or empty).</summary>
    /// <param name="names">Scenario names.</param>
    /// <param name="compareStrategies">Also run each scenario's requests on every strategy.</param>
    /// <param name="progress">Called with the fraction done after each scenario.</param>
    /// <returns>One result per scenario.</returns>
    /// <exception cref="ArgumentException">A name is not a scenario.</exception>
    public IReadOnlyList<ScenarioResult> Run(IEnumerable<string>? names = null, bool compareStrategies = false, Action<double>? progress = null)
    {
        var selected = Select(names);
        var results = new List<ScenarioResult>(selected.Count);
        foreach (var scenario in selected)
        {
            results.Add(RunOne(scenario, compareStrategies));
            progress?.Invoke((double)results.Count / selected.Count);
        }

        return results;
    }

    private static List<ScenarioDefinition> Select(IEnumerable<string>? names)
    {
        var wanted = names?.Where(n => !string.IsNullOrWhiteSpace(n)).ToArray() ?? [];
        if (wanted.Length == 0)
        {
            return [.. SeedScenarios.All];
        }

        var selected = new List<ScenarioDefinition>();
        foreach (string name in wanted)
        {
            var scenario = SeedScenarios.All.FirstOrDefault(s => string.Equals(s.Name, name.Trim(), StringComparison.OrdinalIgnoreCase))
                ?? throw new ArgumentException(
                    $"unknown scenario '{name}'; scenarios: {string.Join(", ", SeedScenarios.All.Select(s => s.Name))}", nameof(names));
            selected.Add(scenario);
        }

        return selected;
    }

    private ScenarioResult RunOne(ScenarioDefinition scenario, bool compareStrategies)
    {
        var numbers = new Dictionary<string, IReadOnlyDictionary<string, object?>>(StringComparer.Ordinal);
        var reasons = new List<string>();
        SideVerdict? simulated = null;
        if (AllocatorCatalog.IsAvailable(SimulatedStrategy))
        {
            simulated = CheckSide(scenario, new SimulatedScenarioRunner(SimulatedStrategy, _osFactory), "the simulation");
            numbers["simulation"] = simulated.Numbers;
            if (simulated.Reason is not null)
            {
                reasons.Add("simulation: " + simulated.Reason);
            }
        }
        else
        {
            reasons.Add($"simulation: the {SimulatedStrategy} strategy is not in this build");
        }

        bool? real = null;
        IReadOnlyList<string> realLog = [];
        var (runner, unavailable) = _real.Value;
        if (runner is null)
        {
            reasons.Add("real glibc: " + unavailable);
        }
        else
        {
            var verdict = CheckSide(scenario, runner, "the oracle");
            numbers["realGlibc"] = verdict.Numbers;
            real = verdict.Holds;
            realLog = verdict.Log;
            if (verdict.Reason is not null)
            {
                reasons.Add("real glibc: " + verdict.Reason);
            }
        }

        var rows = compareStrategies ? Compare(scenario) : null;
        return new ScenarioResult(
            scenario.Name,
            scenario.Claim,
            scenario.SeedNote,
            simulated?.Holds,
            real,
            reasons.Count == 0 ? null : string.Join(" | ", reasons),
            numbers,
            simulated?.Log ?? [],
            realLog,
            rows);
    }

    private static SideVerdict CheckSide(ScenarioDefinition scenario, IScenarioRunner runner, string sideName)
    {
        try
        {
            return scenario.Check(runner);
        }
#pragma warning disable CA1031 // A failing side is reported in the result, never hidden and never fatal to the other side.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            bool isOracle = runner is not SimulatedScenarioRunner;
            return new SideVerdict(
                isOracle ? null : false,
                $"{sideName} failed: {ex.GetType().Name}: {ex.Message}",
                new Dictionary<string, object?>(StringComparer.Ordinal),
                []);
        }
    }

    private List<StrategyComparisonRow> Compare(ScenarioDefinition scenario)
    {
        var rows = new List<StrategyComparisonRow>();
        foreach (string strategy in AllocatorCatalog.Names)
        {
            if (!AllocatorCatalog.IsAvailable(strategy))
            {
                rows.Add(new StrategyComparisonRow(strategy, false, 0, 0, 0, 0, 0, 0, 0, 0, 0, "not in this build"));
                continue;
            }

            try
            {
                var run = new SimulatedScenarioRunner(strategy, _osFactory).Run(scenario.ComparisonSteps);
                var os = run.FinalOs ?? default;
                rows.Add(new StrategyComparisonRow(
                    strategy,
                    true,
                    os.Syscalls,
                    os.Brk,
                    os.Mmap,
                    os.Munmap,
                    os.Mremap + os.Mprotect + os.Madvise,
                    os.VszBytes,
                    os.PeakVszBytes,
                    os.RssBytes,
                    os.PeakRssBytes,
                    null));
            }
#pragma warning disable CA1031 // One strategy failing a scenario is a row of the table, not the end of the command.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                rows.Add(new StrategyComparisonRow(strategy, true, 0, 0, 0, 0, 0, 0, 0, 0, 0, $"{ex.GetType().Name}: {ex.Message}"));
            }
        }

        return rows;
    }
}
