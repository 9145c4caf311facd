// Copyright (c) Allocators contributors. MIT License.

using System;

namespace Allocators.Workloads.Oracle;

/// <summary>The glibc oracle cannot run on this machine: no C compiler, a failed build, or not a Linux glibc system.</summary>
public sealed class GlibcOracleUnavailableException : InvalidOperationException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">Why the oracle is unavailable and what to install.</param>
    public GlibcOracleUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">Why the oracle is unavailable and what to install.</param>
    /// <param name="innerException">The underlying failure.</param>
    public GlibcOracleUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    public GlibcOracleUnavailableException()
        : base("The glibc oracle is unavailable.")
    {
    }
}
