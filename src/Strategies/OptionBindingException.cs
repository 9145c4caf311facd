// Copyright (c) Allocators contributors. MIT License.

using System;

namespace Allocators.Strategies;

/// <summary>
/// A <c>KEY=VALUE</c> option could not be bound onto a strategy's options: the key names no property, or the
/// value does not parse as the property's type. The message names the key, the value and the valid keys.
/// </summary>
public sealed class OptionBindingException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="key">The key as the user wrote it.</param>
    /// <param name="value">The value as the user wrote it, or <see langword="null"/> when the key itself was wrong.</param>
    /// <param name="message">The full message.</param>
    public OptionBindingException(string key, string? value, string message)
        : base(message)
    {
        Key = key;
        Value = value;
    }

    /// <summary>Creates the exception with a message only.</summary>
    public OptionBindingException()
        : this(string.Empty, null, "An option could not be bound.")
    {
    }

    /// <summary>Creates the exception with a message only.</summary>
    /// <param name="message">The message.</param>
    public OptionBindingException(string message)
        : this(string.Empty, null, message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public OptionBindingException(string message, Exception innerException)
        : base(message, innerException)
    {
        Key = string.Empty;
    }

    /// <summary>The key as the user wrote it.</summary>
    public string Key { get; } = string.Empty;

    /// <summary>The value as the user wrote it, or <see langword="null"/> when the key was unknown.</summary>
    public string? Value { get; }
}
