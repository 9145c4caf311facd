// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Diagnostics;
using System.IO;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace Allocators.Workloads;

/// <summary>
/// Compiles the C sources embedded in this assembly (resources <c>Allocators.Native.&lt;file&gt;</c>) with the
/// machine's C compiler into a cache directory, once per source content.
/// </summary>
internal static class NativeBuild
{
    /// <summary>Gets the default cache directory: <c>$XDG_CACHE_HOME/allocators</c> or <c>~/.cache/allocators</c>.</summary>
    public static string DefaultCacheDirectory
    {
        get
        {
            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            string root = !string.IsNullOrEmpty(xdg)
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(root, "allocators");
        }
    }

    /// <summary>Reads an embedded C source.</summary>
    public static string ReadSource(string fileName)
    {
        Assembly assembly = typeof(NativeBuild).Assembly;
        using Stream? stream = assembly.GetManifestResourceStream("Allocators.Native." + fileName)
            ?? throw new RecorderException($"The embedded source {fileName} is missing from {assembly.GetName().Name}.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>Finds a C compiler: <paramref name="preferred"/>, <c>$CC</c>, then cc, gcc, clang on PATH.</summary>
    public static string FindCompiler(string? preferred, string? searchPath = null)
    {
        foreach (string? candidate in new[] { preferred, Environment.GetEnvironmentVariable("CC"), "cc", "gcc", "clang" })
        {
            if (string.IsNullOrWhiteSpace(candidate))
            {
                continue;
            }

            string? found = Resolve(candidate, searchPath ?? Environment.GetEnvironmentVariable("PATH"));
            if (found is not null)
            {
                return found;
            }
        }

        throw new RecorderException(
            "No C compiler found (tried $CC, cc, gcc, clang). The recorder is built from source on first use: "
            + "install one (for example `apt-get install gcc`) or set CC.");
    }

    /// <summary>
    /// Compiles <paramref name="sourceFile"/> with <paramref name="flags"/> into <paramref name="cacheDirectory"/> as
    /// <c>&lt;stem&gt;-&lt;hash&gt;&lt;extension&gt;</c>, unless that file exists already; returns its path.
    /// </summary>
    public static string Compile(string sourceFile, string stem, string extension, string flags, string? compiler, string? cacheDirectory, string? searchPath = null)
    {
        string source = ReadSource(sourceFile);
        string directory = cacheDirectory ?? DefaultCacheDirectory;
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(flags + "\n" + source)))[..16];
        string output = Path.Combine(directory, $"{stem}-{hash}{extension}");
        if (File.Exists(output))
        {
            return output;
        }

        string cc = FindCompiler(compiler, searchPath);
        Directory.CreateDirectory(directory);
        string unique = Guid.NewGuid().ToString("N");
        string sourcePath = Path.Combine(directory, $"{stem}-{hash}-{unique}.c");
        string temporary = Path.Combine(directory, $"{stem}-{hash}-{unique}{extension}.tmp");
        File.WriteAllText(sourcePath, source);
        try
        {
            var start = new ProcessStartInfo(cc)
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (string flag in flags.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                start.ArgumentList.Add(flag);
            }

            start.ArgumentList.Add("-o");
            start.ArgumentList.Add(temporary);
            start.ArgumentList.Add(sourcePath);
            using Process process = Process.Start(start) ?? throw new RecorderException($"The C compiler {cc} did not start.");
            var stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new RecorderException($"Compiling {sourceFile} with {cc} failed (exit {process.ExitCode}):\n{stderr.Result}{stdout}");
            }

            // Atomic publish: parallel builders race harmlessly.
            File.Move(temporary, output, overwrite: true);
            return output;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new RecorderException($"The C compiler {cc} could not be run: {e.Message}", e);
        }
        finally
        {
            File.Delete(sourcePath);
            File.Delete(temporary);
        }
    }

    private static string? Resolve(string program, string? path)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(program) ? program : null;
        }

        if (path is null)
        {
            return null;
        }

        foreach (string dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
