// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Cli.Tests;

/// <summary>Paths of the shared sample traces and a scratch directory per test class.</summary>
internal static class TestFiles
{
    public static string SharedTraces { get; } = FindSharedTraces();

    public static string Trace(string name) => Path.Combine(SharedTraces, name);

    public static string NewScratchDirectory()
    {
        string path = Path.Combine(Path.GetTempPath(), "allocators-cli-tests-" + Guid.NewGuid().ToString("n")[..12]);
        Directory.CreateDirectory(path);
        return path;
    }

    private static string FindSharedTraces()
    {
        // The repository's committed samples first, then the shared example traces of the team machine.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "samples", "traces");
            if (File.Exists(Path.Combine(candidate, "sort-services.trace")))
            {
                return candidate;
            }
        }

        return "/work/shared/traces";
    }
}
