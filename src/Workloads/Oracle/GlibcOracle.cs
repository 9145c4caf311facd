// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;

namespace Allocators.Workloads.Oracle;

/// <summary>
/// Runs <see cref="OracleScript"/>s against the machine's real glibc: the oracle program (oracle.c, embedded in
/// this assembly) is compiled on first use with the machine's C compiler into a cache directory
/// (<c>$XDG_CACHE_HOME/allocators</c> or <c>~/.cache/allocators</c>, keyed by a hash of the source), and every
/// run executes one script in a fresh process, so the heap starts from scratch each time.
/// </summary>
public sealed class GlibcOracle
{
    private const string ResourceName = "Allocators.Native.oracle.c";
    private static readonly Lazy<(GlibcOracle? Oracle, string? Reason)> s_default = new(TryBuildDefault, LazyThreadSafetyMode.ExecutionAndPublication);

    private GlibcOracle(string executablePath, string glibcVersion)
    {
        ExecutablePath = executablePath;
        GlibcVersion = glibcVersion;
    }

    /// <summary>Gets a value indicating whether the oracle can run here (a C compiler exists and the program built and ran).</summary>
    public static bool IsAvailable => s_default.Value.Oracle is not null;

    /// <summary>Gets why the oracle is unavailable, or null when it is available.</summary>
    public static string? UnavailableReason => s_default.Value.Reason;

    /// <summary>Gets the oracle built in the default cache directory.</summary>
    /// <exception cref="GlibcOracleUnavailableException">No C compiler, or the build failed; the message says why.</exception>
    public static GlibcOracle Default => s_default.Value.Oracle ?? throw new GlibcOracleUnavailableException(s_default.Value.Reason!);

    /// <summary>Gets the path of the compiled oracle program.</summary>
    public string ExecutablePath { get; }

    /// <summary>Gets the version of the glibc the oracle program runs against (for example <c>2.36</c>).</summary>
    public string GlibcVersion { get; }

    /// <summary>Gets or sets how long one run may take before the process is killed.</summary>
    /// <value>30 seconds by default.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Builds the oracle program (or reuses a cached build) and checks that it runs.</summary>
    /// <param name="cacheDirectory">The directory for the build; null for <c>$XDG_CACHE_HOME/allocators</c> or <c>~/.cache/allocators</c>.</param>
    /// <returns>The oracle.</returns>
    /// <exception cref="GlibcOracleUnavailableException">Not Linux, no C compiler, or the build failed.</exception>
    public static GlibcOracle Build(string? cacheDirectory = null)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new GlibcOracleUnavailableException($"The glibc oracle needs Linux with glibc; this is {RuntimeInformation.OSDescription}.");
        }

        var source = ReadSource();
        var hash = Convert.ToHexStringLower(SHA256.HashData(source))[..16];
        var directory = cacheDirectory ?? DefaultCacheDirectory();
        Directory.CreateDirectory(directory);
        var executable = Path.Combine(directory, $"oracle-{hash}");
        if (!File.Exists(executable))
        {
            Compile(source, directory, executable);
        }

        var probe = new GlibcOracle(executable, "unknown");
        var result = probe.RunCore(new OracleScript([]), null, out _, out var version);
        if (!result.Completed)
        {
            throw new GlibcOracleUnavailableException($"The oracle program '{executable}' failed to run an empty script: {result}");
        }

        return new GlibcOracle(executable, version);
    }

    /// <summary>Runs a script in a fresh process.</summary>
    /// <param name="script">The script.</param>
    /// <param name="environment">
    /// Extra environment variables (for example <c>GLIBC_TUNABLES</c> or <c>MALLOC_TOP_PAD_</c>); inherited
    /// <c>GLIBC_TUNABLES</c>, <c>MALLOC_*</c> and <c>LD_PRELOAD</c> variables are removed first.
    /// </param>
    /// <returns>The per-operation results, and the abort message and operation if glibc aborted.</returns>
    /// <exception cref="TimeoutException">The program ran longer than <see cref="Timeout"/> (it was killed).</exception>
    /// <exception cref="InvalidOperationException">The program could not run or printed something unexpected.</exception>
    public OracleResult Run(OracleScript script, IReadOnlyDictionary<string, string>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(script);
        return RunCore(script, environment, out _, out _);
    }

    private static (GlibcOracle? Oracle, string? Reason) TryBuildDefault()
    {
        try
        {
            return (Build(), null);
        }
        catch (GlibcOracleUnavailableException ex)
        {
            return (null, ex.Message);
        }
    }

    private static string DefaultCacheDirectory()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (!string.IsNullOrEmpty(xdg))
        {
            return Path.Combine(xdg, "allocators");
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return string.IsNullOrEmpty(home)
            ? Path.Combine(Path.GetTempPath(), "allocators-cache")
            : Path.Combine(home, ".cache", "allocators");
    }

    private static byte[] ReadSource()
    {
        using var stream = typeof(GlibcOracle).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new GlibcOracleUnavailableException($"The embedded resource '{ResourceName}' is missing from {typeof(GlibcOracle).Assembly.GetName().Name}.");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    private static string FindCompiler()
    {
        var candidates = new List<string>();
        var cc = Environment.GetEnvironmentVariable("CC");
        if (!string.IsNullOrWhiteSpace(cc))
        {
            candidates.Add(cc.Trim());
        }

        candidates.AddRange(["cc", "gcc", "clang"]);
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var candidate in candidates)
        {
            if (candidate.Contains('/', StringComparison.Ordinal))
            {
                if (File.Exists(candidate))
                {
                    return candidate;
                }

                continue;
            }

            foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
            {
                var full = Path.Combine(dir, candidate);
                if (File.Exists(full))
                {
                    return full;
                }
            }
        }

        throw new GlibcOracleUnavailableException(
            "No C compiler found (looked for $CC, cc, gcc and clang on PATH). The glibc oracle compiles a small C program to run "
            + "scripts against the real glibc; install one (for example 'apt-get install gcc') to enable it.");
    }

    private static void Compile(byte[] source, string directory, string executable)
    {
        var compiler = FindCompiler();
        var unique = $"{Environment.ProcessId}-{Guid.NewGuid():N}";
        var sourcePath = Path.Combine(directory, $"oracle-{unique}.c");
        var temporary = Path.Combine(directory, $"oracle-{unique}.tmp");
        File.WriteAllBytes(sourcePath, source);
        try
        {
            var start = new ProcessStartInfo(compiler)
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[] { "-O2", "-fno-builtin", "-o", temporary, sourcePath })
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start) ?? throw new GlibcOracleUnavailableException($"Could not start the C compiler '{compiler}'.");
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            process.WaitForExit();
            if (process.ExitCode != 0 || !File.Exists(temporary))
            {
                throw new GlibcOracleUnavailableException(
                    $"The C compiler '{compiler}' failed to build the glibc oracle (exit {process.ExitCode}): {stderr.Result.Trim()} {stdout.Result.Trim()}");
            }

            File.Move(temporary, executable, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            throw new GlibcOracleUnavailableException($"Could not build the glibc oracle with '{compiler}' in '{directory}': {ex.Message}", ex);
        }
        finally
        {
            File.Delete(sourcePath);
            File.Delete(temporary);
        }
    }

    private OracleResult RunCore(OracleScript script, IReadOnlyDictionary<string, string>? environment, out ulong initialBreak, out string version)
    {
        var start = new ProcessStartInfo(ExecutablePath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-");
        var inherited = new List<string>();
        foreach (var key in start.Environment.Keys)
        {
            if (key == "GLIBC_TUNABLES" || key == "LD_PRELOAD" || key.StartsWith("MALLOC_", StringComparison.Ordinal))
            {
                inherited.Add(key);
            }
        }

        foreach (var key in inherited)
        {
            start.Environment.Remove(key);
        }

        start.Environment["LIBC_FATAL_STDERR_"] = "1";
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start the oracle program '{ExecutablePath}'.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            process.StandardInput.Write(script.ToString());
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The program exited before reading the whole script (a script error); its stderr says why.
        }

        if (!process.WaitForExit(Timeout))
        {
            process.Kill();
            process.WaitForExit();
            throw new TimeoutException(
                $"The oracle program did not finish within {Timeout.TotalSeconds:0.#} s (glibc can loop forever on a corrupted free list); it was killed.");
        }

        Task.WaitAll(stdout, stderr);
        if (process.ExitCode == 2)
        {
            throw new InvalidOperationException($"The oracle program rejected the script: {stderr.Result.Trim()}");
        }

        try
        {
            return OracleOutputParser.Parse(script, stdout.Result, stderr.Result, $"real glibc {GlibcVersion}", out initialBreak, out version);
        }
        catch (FormatException ex)
        {
            throw new InvalidOperationException($"The oracle program exited with {process.ExitCode} and unexpected output: {ex.Message}", ex);
        }
    }
}
