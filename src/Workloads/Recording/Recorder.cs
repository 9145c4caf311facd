// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;

namespace Allocators.Workloads;

/// <summary>
/// Records the allocations of a real program: builds the LD_PRELOAD recorder (src/Recorder/recorder.c, embedded)
/// with the machine's C compiler on first use, runs the program under it and collects its trace files.
/// </summary>
/// <remarks>
/// Every process writes its own file: the program's own trace is <c>output</c>; other processes (fork children,
/// programs it executes) write <c>output.&lt;pid&gt;</c>. Files are written under temporary names and renamed only
/// once the run is over; a trace whose process never closed it (killed by a signal) is renamed
/// <c>….incomplete</c>, and when that is the program's own trace, <see cref="Record"/> throws.
/// </remarks>
public sealed class Recorder
{
    /// <summary>The environment variable naming the trace file, read by the recorder library.</summary>
    public const string TraceFileVariable = "ALLOCATORS_TRACE_FILE";

    private const string EndMarker = "# recorder-end calls=";
    private readonly RecorderOptions _options;

    /// <summary>Creates a recorder.</summary>
    public Recorder(RecorderOptions? options = null) => _options = options ?? new RecorderOptions();

    /// <summary>
    /// Builds the recorder library unless the cache holds it already; returns its path.
    /// </summary>
    /// <exception cref="RecorderException">No C compiler, or the build failed.</exception>
    public string BuildLibrary() =>
        NativeBuild.Compile("recorder.c", "librecorder", ".so", "-O2 -shared -fPIC -Wall", _options.Compiler, _options.CacheDirectory, _options.SearchPath);

    /// <summary>
    /// Runs <paramref name="program"/> with <paramref name="arguments"/> under the recorder and writes its trace to
    /// <paramref name="outputPath"/> (text; compressed or binary when the name ends in .gz, .zst or .bin — other
    /// processes' traces stay text).
    /// </summary>
    /// <exception cref="RecorderException">
    /// No C compiler; the program does not exist or cannot start; it made no recorded call (not dynamically linked);
    /// or it ended without completing its trace.
    /// </exception>
    public RecordingResult Record(string outputPath, string program, IEnumerable<string> arguments)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        ArgumentException.ThrowIfNullOrEmpty(program);
        ArgumentNullException.ThrowIfNull(arguments);
        string library = BuildLibrary();
        string output = Path.GetFullPath(outputPath);
        string directory = Path.GetDirectoryName(output)!;
        Directory.CreateDirectory(directory);
        string stem = Path.GetFileName(output) + ".recording-" + Guid.NewGuid().ToString("N")[..12];
        string temporary = Path.Combine(directory, stem);

        var start = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = _options.DiscardOutput,
            RedirectStandardError = _options.DiscardOutput,
        };
        if (_options.WorkingDirectory is not null)
        {
            start.WorkingDirectory = _options.WorkingDirectory;
        }

        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        string? preload = Environment.GetEnvironmentVariable("LD_PRELOAD");
        start.Environment["LD_PRELOAD"] = string.IsNullOrEmpty(preload) ? library : library + ":" + preload;
        start.Environment[TraceFileVariable] = temporary;

        int exitCode;
        try
        {
            using Process process = Process.Start(start) ?? throw new RecorderException($"The program '{program}' did not start.");
            if (_options.DiscardOutput)
            {
                process.OutputDataReceived += (_, _) => { };
                process.ErrorDataReceived += (_, _) => { };
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
            }

            process.WaitForExit();
            exitCode = process.ExitCode;
        }
        catch (Win32Exception e)
        {
            DeleteAll(directory, stem);
            throw new RecorderException($"The program '{program}' cannot be started: {e.Message}", e);
        }

        return Collect(output, directory, stem, program, exitCode);
    }

    private static RecordingResult Collect(string output, string directory, string stem, string program, int exitCode)
    {
        string temporary = Path.Combine(directory, stem);
        var children = new List<string>();
        var incomplete = new List<string>();
        if (!File.Exists(temporary))
        {
            DeleteAll(directory, stem);
            throw new RecorderException(
                $"'{program}' exited with code {exitCode} without any recorded allocation: it may not exist, be statically linked, "
                + "or not be a dynamically linked ELF program (LD_PRELOAD does not apply).");
        }

        foreach (string file in Directory.GetFiles(directory, stem + "*"))
        {
            string suffix = Path.GetFileName(file)[stem.Length..];
            if (!suffix.StartsWith('.'))
            {
                continue; // the program's own trace
            }

            string target = output + suffix;
            if (ReadEndMarker(file) is null)
            {
                target += ".incomplete";
                incomplete.Add(target);
            }
            else
            {
                children.Add(target);
            }

            File.Move(file, target, overwrite: true);
        }

        long? calls = ReadEndMarker(temporary);
        if (calls is null)
        {
            string kept = output + ".incomplete";
            File.Move(temporary, kept, overwrite: true);
            throw new RecorderException(
                $"'{program}' ended (exit code {exitCode}) without completing its trace (killed by a signal?); the partial trace is kept as {kept}.");
        }

        if (TraceFile.CompressionFromPath(output) != TraceCompression.None || TraceFile.FormatFromPath(output) == TraceFileFormat.Binary)
        {
            // The library writes text; a name ending in .gz, .zst or .bin asks for that encoding of the program's trace.
            TraceConverter.Convert(temporary, output);
            File.Delete(temporary);
        }
        else
        {
            File.Move(temporary, output, overwrite: true);
        }

        children.Sort(StringComparer.Ordinal);
        return new RecordingResult(output, calls.Value, children, incomplete, exitCode);
    }

    /// <summary>Finds <c># recorder-end calls=N</c> near the end of a trace file; null when absent.</summary>
    internal static long? ReadEndMarker(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        const int Tail = 1 << 16;
        long offset = Math.Max(0, file.Length - Tail);
        file.Position = offset;
        byte[] bytes = new byte[file.Length - offset];
        file.ReadExactly(bytes);
        string text = Encoding.ASCII.GetString(bytes);
        int at = text.LastIndexOf(EndMarker, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        int begin = at + EndMarker.Length;
        int end = begin;
        while (end < text.Length && char.IsAsciiDigit(text[end]))
        {
            end++;
        }

        return long.Parse(text.AsSpan(begin, end - begin), CultureInfo.InvariantCulture);
    }

    private static void DeleteAll(string directory, string stem)
    {
        foreach (string file in Directory.EnumerateFiles(directory, stem + "*"))
        {
            File.Delete(file);
        }
    }
}
