// Copyright (c) Allocators contributors. MIT License.

using System;
using System.IO;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace Allocators.Cli;

/// <summary>Where a command writes: human tables through Spectre.Console, JSON for machines, errors on stderr.</summary>
internal sealed class CliOutput
{
    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private IAnsiConsole? _console;

    public CliOutput(TextWriter stdout, TextWriter stderr, bool isTerminal)
    {
        Out = stdout;
        Error = stderr;
        IsTerminal = isTerminal;
    }

    /// <summary>Standard output.</summary>
    public TextWriter Out { get; }

    /// <summary>Standard error.</summary>
    public TextWriter Error { get; }

    /// <summary>Whether standard output is an interactive terminal (progress bars and colours only then).</summary>
    public bool IsTerminal { get; }

    /// <summary>The serializer settings of every <c>--json</c> output (camelCase, indented).</summary>
    public static JsonSerializerOptions JsonOptions => s_json;

    /// <summary>The Spectre console over <see cref="Out"/>.</summary>
    public IAnsiConsole Console => _console ??= CreateConsole();

    /// <summary>Writes <paramref name="value"/> as JSON followed by a newline.</summary>
    public void WriteJson<T>(T value)
    {
        Out.WriteLine(JsonSerializer.Serialize(value, s_json));
        Out.Flush();
    }

    /// <summary>Writes one line to standard output.</summary>
    public void Line(string text) => Out.WriteLine(text);

    /// <summary>
    /// Runs <paramref name="work"/> with a progress callback (fraction 0..1) drawn as a Spectre progress bar when
    /// standard output is a terminal; otherwise the callback does nothing.
    /// </summary>
    public T WithProgress<T>(string description, Func<Action<double>, T> work)
    {
        if (!IsTerminal)
        {
            return work(static _ => { });
        }

        T result = default!;
        Console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(description), maxValue: 1.0);
                result = work(fraction => task.Value = Math.Clamp(fraction, 0.0, 1.0));
                task.Value = 1.0;
            });
        return result;
    }

    /// <summary>
    /// Runs trace work with a progress bar over the trace's calls when standard output is a terminal (the calls are
    /// counted first); otherwise the callback handed to <paramref name="work"/> is null.
    /// </summary>
    public T WithCallProgress<T>(string description, string tracePath, Func<Action<long>?, T> work)
    {
        if (!IsTerminal)
        {
            return work(null);
        }

        long total = Math.Max(1, Services.ReplayService.CountCalls(tracePath));
        return WithProgress(description, fraction => work(calls => fraction((double)calls / total)));
    }

    private IAnsiConsole CreateConsole()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = IsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = IsTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = IsTerminal ? InteractionSupport.Detect : InteractionSupport.No,
            Out = new AnsiConsoleOutput(Out),
        });
        if (!IsTerminal)
        {
            console.Profile.Width = 160;
        }

        return console;
    }
}
