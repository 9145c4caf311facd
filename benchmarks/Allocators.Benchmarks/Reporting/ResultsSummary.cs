// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace Allocators.Benchmarks.Reporting;

/// <summary>
/// Reads the BenchmarkDotNet JSON reports of a results directory and writes the headline table: for every
/// head-to-head case the simulated and native means, their ratio and the verdict against the project's targets;
/// for the replay engine the calls per second.
/// </summary>
public static class ResultsSummary
{
    private static readonly CultureInfo s_invariant = CultureInfo.InvariantCulture;

    /// <summary>Writes the headline markdown for the <c>*.json</c> reports in <paramref name="directory"/>.</summary>
    public static string Summarize(string directory)
    {
        var rows = new List<Row>();
        foreach (string file in Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal))
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(file));
            if (!document.RootElement.TryGetProperty("Benchmarks", out JsonElement benchmarks))
            {
                continue;
            }

            foreach (JsonElement benchmark in benchmarks.EnumerateArray())
            {
                if (benchmark.TryGetProperty("Statistics", out JsonElement statistics) && statistics.ValueKind == JsonValueKind.Object)
                {
                    rows.Add(new Row(
                        benchmark.GetProperty("Type").GetString() ?? string.Empty,
                        benchmark.GetProperty("Method").GetString() ?? string.Empty,
                        Parse(benchmark.GetProperty("Parameters").GetString()),
                        statistics.GetProperty("Mean").GetDouble(),
                        statistics.GetProperty("Median").GetDouble()));
                }
            }
        }

        var text = new StringBuilder();
        text.AppendLine("| Benchmark | Parameters | Strategy | Simulated (mean) | Native glibc (mean) | Ratio (mean) | Ratio (median) | Target | Verdict |");
        text.AppendLine("|---|---|---|---:|---:|---:|---:|---|---|");
        var pairs = rows.Where(r => r.Method == "Simulated")
            .Select(s => (Simulated: s, Native: rows.FirstOrDefault(n => n.Method == "Native" && n.Type == s.Type && n.Key == s.Key)))
            .Where(p => p.Native is not null);
        foreach (var (simulated, native) in pairs)
        {
            string strategy = simulated.Parameters.GetValueOrDefault("Strategy", "?");
            double ratio = simulated.Mean / native!.Mean;
            double medianRatio = simulated.Median / native.Median;
            double? target = TargetOf(simulated.Type, strategy);
            string verdict = target is double t ? (ratio <= t ? "met" : $"missed by {ratio / t:F2}×") : string.Empty;
            text.AppendLine(string.Create(s_invariant,
                $"| {simulated.Type} | {simulated.ParametersWithout("Strategy")} | {strategy} | {Time(simulated.Mean)} | {Time(native.Mean)} | {ratio:F2} | {medianRatio:F2} | {(target is double x ? $"≤ {x:F1}×" : string.Empty)} | {verdict} |"));
        }

        foreach (Row engine in rows.Where(r => r.Type == "ReplayEngineBenchmarks"))
        {
            double calls = double.Parse(engine.Parameters.GetValueOrDefault("Calls", "0"), s_invariant);
            double perSecond = calls / (engine.Mean / 1e9);
            string verdict = perSecond >= 5e6 ? "met" : $"missed by {5e6 / perSecond:F2}×";
            text.AppendLine(string.Create(s_invariant,
                $"| {engine.Type}.{engine.Method} | Calls={calls:N0} | glibc | {Time(engine.Mean)} | | {perSecond / 1e6:F2} M calls/s | | ≥ 5 M calls/s | {verdict} |"));
        }

        return text.ToString();
    }

    private static double? TargetOf(string type, string strategy) => (type, strategy) switch
    {
        ("TraceReplayBenchmarks", "glibc") => 2.0,
        ("FixedSizeChurnBenchmarks", "slab") => 1.0,
        ("PowerOfTwoChurnBenchmarks", "buddy") => 1.0,
        _ => null,
    };

    private static Dictionary<string, string> Parse(string? parameters) =>
        (parameters ?? string.Empty).Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : string.Empty, StringComparer.Ordinal);

    private static string Time(double nanoseconds) => nanoseconds switch
    {
        >= 1e9 => (nanoseconds / 1e9).ToString("F3", s_invariant) + " s",
        >= 1e6 => (nanoseconds / 1e6).ToString("F3", s_invariant) + " ms",
        >= 1e3 => (nanoseconds / 1e3).ToString("F1", s_invariant) + " μs",
        _ => nanoseconds.ToString("F1", s_invariant) + " ns",
    };

    private sealed record Row(string Type, string Method, Dictionary<string, string> Parameters, double Mean, double Median)
    {
        public string Key => ParametersWithout(string.Empty) + "|" + Parameters.GetValueOrDefault("Strategy", string.Empty);

        public string ParametersWithout(string name) => string.Join(", ", Parameters
            .Where(p => p.Key != name)
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => p.Key + "=" + p.Value));
    }
}
