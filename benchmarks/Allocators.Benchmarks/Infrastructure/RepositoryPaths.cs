// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Allocators.Benchmarks.Infrastructure;

/// <summary>Finds the repository (the directory holding <c>Allocators.sln</c>) and its sample traces.</summary>
public static class RepositoryPaths
{
    /// <summary>The environment variable that points the trace benchmarks at another directory of traces.</summary>
    public const string TraceDirectoryVariable = "ALLOCATORS_BENCH_TRACES";

    private static readonly string[] s_traceExtensions = [".trace", ".gz", ".zst", ".bin"];

    /// <summary>Gets the repository root, searched upwards from the working directory and from the assembly; null when not found.</summary>
    public static string? Root { get; } = FindRoot(Environment.CurrentDirectory) ?? FindRoot(AppContext.BaseDirectory);

    /// <summary>
    /// Gets the trace directory: <c>$ALLOCATORS_BENCH_TRACES</c> when set, else <c>samples/traces</c> of the repository
    /// (committed, so it exists in CI); null when neither exists.
    /// </summary>
    public static string? TraceDirectory
    {
        get
        {
            string? configured = Environment.GetEnvironmentVariable(TraceDirectoryVariable);
            if (!string.IsNullOrEmpty(configured))
            {
                return Directory.Exists(configured)
                    ? configured
                    : throw new DirectoryNotFoundException($"{TraceDirectoryVariable}={configured}: no such directory");
            }

            string? samples = Root is null ? null : Path.Combine(Root, "samples", "traces");
            return samples is not null && Directory.Exists(samples) ? samples : null;
        }
    }

    /// <summary>Gets the trace files of <see cref="TraceDirectory"/> by name (file name without extensions), sorted.</summary>
    public static IReadOnlyList<string> TraceNames() =>
        TraceDirectory is not string directory
            ? []
            : Directory.EnumerateFiles(directory)
                .Where(f => s_traceExtensions.Any(e => f.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
                .Select(Path.GetFileName)
                .OfType<string>()
                .Order(StringComparer.Ordinal)
                .ToArray();

    /// <summary>Gets the path of a trace listed by <see cref="TraceNames"/>.</summary>
    public static string TracePath(string fileName)
    {
        string directory = TraceDirectory
            ?? throw new DirectoryNotFoundException($"no trace directory: neither samples/traces under the repository nor ${TraceDirectoryVariable}");
        string path = Path.Combine(directory, fileName);
        return File.Exists(path) ? path : throw new FileNotFoundException($"trace '{fileName}' is not in {directory}", path);
    }

    private static string? FindRoot(string start)
    {
        for (DirectoryInfo? directory = new(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Allocators.sln")))
            {
                return directory.FullName;
            }
        }

        return null;
    }
}
