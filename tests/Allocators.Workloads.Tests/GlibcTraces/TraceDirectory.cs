// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads.Tests.GlibcTraces;

/// <summary>Finds shared/traces: beside the checkout (the directory holding Allocators.sln), or further up for worktrees.</summary>
internal static class TraceDirectory
{
    public static string Find()
    {
        string? env = Environment.GetEnvironmentVariable("ALLOCATORS_TRACES");
        if (!string.IsNullOrEmpty(env))
        {
            return Directory.Exists(env) ? env : throw new DirectoryNotFoundException($"ALLOCATORS_TRACES={env} does not exist.");
        }

        DirectoryInfo? dir = new(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Allocators.sln")))
        {
            dir = dir.Parent;
        }

        if (dir is null)
        {
            throw new DirectoryNotFoundException($"No Allocators.sln above {AppContext.BaseDirectory}; cannot locate ../shared/traces.");
        }

        string root = dir.FullName;
        for (DirectoryInfo? up = dir.Parent; up is not null; up = up.Parent)
        {
            string candidate = Path.Combine(up.FullName, "shared", "traces");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"The trace directory ../shared/traces next to the checkout {root} is missing; CI places shared/ beside the checkout.");
    }
}
