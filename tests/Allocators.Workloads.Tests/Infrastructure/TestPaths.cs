// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads.Tests.Infrastructure;

internal static class TestPaths
{
    /// <summary>The repository root (the directory holding Allocators.sln), found from the test assembly.</summary>
    public static string RepositoryRoot
    {
        get
        {
            string? dir = AppContext.BaseDirectory;
            while (dir is not null && !File.Exists(Path.Combine(dir, "Allocators.sln")))
            {
                dir = Path.GetDirectoryName(dir);
            }

            return dir ?? throw new InvalidOperationException("Allocators.sln not found above " + AppContext.BaseDirectory);
        }
    }

    public static string SamplesDirectory => Path.Combine(RepositoryRoot, "samples", "traces");

    public static IEnumerable<string> SampleTraces =>
        Directory.Exists(SamplesDirectory)
            ? Directory.EnumerateFiles(SamplesDirectory).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)).OrderBy(f => f, StringComparer.Ordinal)
            : [];

    public static string NewTempDirectory()
    {
        string dir = Path.Combine(Path.GetTempPath(), "allocators-workloads-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
