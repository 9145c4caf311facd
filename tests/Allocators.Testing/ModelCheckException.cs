// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Testing;

/// <summary>Thrown by <see cref="ModelChecker"/> when the allocator disagrees with the reference model.</summary>
public sealed class ModelCheckException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="ModelCheckException"/> class.</summary>
    public ModelCheckException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
