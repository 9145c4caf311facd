// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.Linq;
using System.Reflection;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;

namespace Allocators.Benchmarks.Infrastructure;

/// <summary>
/// The results cache behind <see cref="SimulationColumn"/>: one <see cref="SimulationProfile"/> per benchmark class
/// and parameter set.
/// </summary>
/// <remarks>
/// BenchmarkDotNet runs each case in a child process but computes columns in the host, so the profile that
/// <see cref="HeadToHeadBenchmark.Setup"/> records in the child is not visible where the table is drawn. The host
/// therefore fills the cache itself on first use, by creating the benchmark class, setting the case's
/// parameters and running the same untimed replay (<see cref="HeadToHeadBenchmark.MeasureSimulation"/>); the
/// sequence is deterministic, so both processes compute the same numbers.
/// </remarks>
public static class SimulationProfiles
{
    private static readonly ConcurrentDictionary<string, SimulationProfile?> s_profiles = new(StringComparer.Ordinal);

    /// <summary>Records the profile of a configured benchmark instance.</summary>
    public static void Remember(HeadToHeadBenchmark benchmark, SimulationProfile profile)
    {
        ArgumentNullException.ThrowIfNull(benchmark);
        s_profiles[KeyOf(benchmark)] = profile;
    }

    /// <summary>Gets the profile of a benchmark case; null when the case is not a head-to-head benchmark or it failed.</summary>
    public static SimulationProfile? Get(BenchmarkCase benchmarkCase)
    {
        ArgumentNullException.ThrowIfNull(benchmarkCase);
        Type type = benchmarkCase.Descriptor.Type;
        if (!typeof(HeadToHeadBenchmark).IsAssignableFrom(type))
        {
            return null;
        }

        string key = type.FullName + "|" + string.Join(";", benchmarkCase.Parameters.Items
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => p.Name + "=" + Format(p.Value)));
        return s_profiles.GetOrAdd(key, _ => Measure(type, benchmarkCase));
    }

    private static SimulationProfile? Measure(Type type, BenchmarkCase benchmarkCase)
    {
        try
        {
            var benchmark = (HeadToHeadBenchmark)Activator.CreateInstance(type)!;
            foreach (var parameter in benchmarkCase.Parameters.Items)
            {
                PropertyInfo? property = type.GetProperty(parameter.Name, BindingFlags.Public | BindingFlags.Instance);
                if (property is not null)
                {
                    property.SetValue(benchmark, parameter.Value);
                }
                else
                {
                    type.GetField(parameter.Name, BindingFlags.Public | BindingFlags.Instance)?.SetValue(benchmark, parameter.Value);
                }
            }

            return benchmark.MeasureSimulation();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Console.Error.WriteLine($"// simulation profile of {type.Name} ({benchmarkCase.Parameters.DisplayInfo}) failed: {e.Message}");
            return null;
        }
    }

    private static string KeyOf(HeadToHeadBenchmark benchmark)
    {
        Type type = benchmark.GetType();
        var parameters = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.IsDefined(typeof(ParamsAttribute), true) || p.IsDefined(typeof(ParamsSourceAttribute), true))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => p.Name + "=" + Format(p.GetValue(benchmark)));
        return type.FullName + "|" + string.Join(";", parameters);
    }

    private static string Format(object? value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
}
