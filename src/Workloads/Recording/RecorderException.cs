// Copyright (c) Allocators contributors. MIT License.

using System;

namespace Allocators.Workloads;

/// <summary>Recording failed: no C compiler, the library did not build, the program did not start or its trace is incomplete.</summary>
public sealed class RecorderException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RecorderException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
