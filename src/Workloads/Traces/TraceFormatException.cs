// Copyright (c) Allocators contributors. MIT License.

using System;

namespace Allocators.Workloads;

/// <summary>A trace could not be read: a malformed line, a truncated or corrupt file, an unsupported compression.</summary>
public sealed class TraceFormatException : Exception
{
    /// <summary>Creates the exception for a bad line.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="source">The file name or description of the stream, when known.</param>
    /// <param name="line">The 1-based line (or binary record) number, 0 when the problem is not tied to a line.</param>
    /// <param name="lineText">The offending text, when there is one.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public TraceFormatException(string message, string? source = null, long line = 0, string? lineText = null, Exception? innerException = null)
        : base(Compose(message, source, line, lineText), innerException)
    {
        Reason = message;
        SourceName = source;
        Line = line;
        LineText = lineText;
    }

    /// <summary>Gets the reason without the location.</summary>
    public string Reason { get; }

    /// <summary>Gets the file name or description of the stream, when known.</summary>
    public string? SourceName { get; }

    /// <summary>Gets the 1-based line (or binary record) number, 0 when not tied to a line.</summary>
    public long Line { get; }

    /// <summary>Gets the offending text, when there is one.</summary>
    public string? LineText { get; }

    private static string Compose(string message, string? source, long line, string? lineText)
    {
        string where = source ?? "trace";
        if (line > 0)
        {
            where += ":" + line.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return lineText is null ? $"{where}: {message}" : $"{where}: {message}: \"{lineText}\"";
    }
}
