// Copyright (c) Allocators contributors. MIT License.

using System;

namespace Allocators.Workloads;

/// <summary>A trace could not be replayed: a pointer that was never returned (or is no longer live), or a strategy error.</summary>
public sealed class ReplayException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="reason">What went wrong.</param>
    /// <param name="line">The line (or binary record) number of the call.</param>
    /// <param name="callText">The call as a trace line.</param>
    /// <param name="innerException">The strategy's exception, if any.</param>
    public ReplayException(string reason, long line, string callText, Exception? innerException = null)
        : base($"line {line}: {reason}: \"{callText}\"", innerException)
    {
        Reason = reason;
        Line = line;
        CallText = callText;
    }

    /// <summary>Gets what went wrong, without the location.</summary>
    public string Reason { get; }

    /// <summary>Gets the line (or binary record) number of the call.</summary>
    public long Line { get; }

    /// <summary>Gets the call as a trace line.</summary>
    public string CallText { get; }
}
