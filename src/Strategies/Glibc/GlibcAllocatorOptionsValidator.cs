// Copyright (c) Allocators contributors. MIT License.

using System;
using Microsoft.Extensions.Options;

namespace Allocators.Strategies.Glibc;

/// <summary>Validates <see cref="GlibcAllocatorOptions"/> with the limits of glibc's tunables and mallopt; lists every failure.</summary>
public sealed class GlibcAllocatorOptionsValidator : IValidateOptions<GlibcAllocatorOptions>
{
    /// <summary>MAX_FAST_SIZE: the largest accepted M_MXFAST value.</summary>
    internal const ulong MaxFastSize = 160;

    /// <summary>MAX_TCACHE_SIZE: the largest accepted tcache_max value.</summary>
    internal const ulong MaxTcacheSize = 1032;

    /// <summary>MAX_TCACHE_COUNT: the largest accepted tcache_count value.</summary>
    internal const ulong MaxTcacheCount = 65535;

    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, GlibcAllocatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ValidateOptionsResultBuilder();
        if (options.MaxFastBytes is > MaxFastSize)
        {
            builder.AddResult(ValidateOptionsResult.Fail($"{nameof(options.MaxFastBytes)} must be at most {MaxFastSize} (M_MXFAST / MAX_FAST_SIZE); got {options.MaxFastBytes}."));
        }

        if (options.TcacheMaxBytes is > MaxTcacheSize)
        {
            builder.AddResult(ValidateOptionsResult.Fail($"{nameof(options.TcacheMaxBytes)} must be at most {MaxTcacheSize} (MAX_TCACHE_SIZE); got {options.TcacheMaxBytes}."));
        }

        if (options.TcacheCount is > MaxTcacheCount)
        {
            builder.AddResult(ValidateOptionsResult.Fail($"{nameof(options.TcacheCount)} must be at most {MaxTcacheCount} (MAX_TCACHE_COUNT); got {options.TcacheCount}."));
        }

        if (options.Perturb is < 0 or > 255)
        {
            builder.AddResult(ValidateOptionsResult.Fail($"{nameof(options.Perturb)} must be between 0 and 255 (glibc.malloc.perturb); got {options.Perturb}."));
        }

        if (options.MmapMax is < 0)
        {
            builder.AddResult(ValidateOptionsResult.Fail($"{nameof(options.MmapMax)} must be at least 0 (glibc.malloc.mmap_max); got {options.MmapMax}."));
        }

        if (options.ArenaMax is < 1)
        {
            builder.AddResult(ValidateOptionsResult.Fail($"{nameof(options.ArenaMax)} must be at least 1 (glibc.malloc.arena_max); got {options.ArenaMax}."));
        }

        if (options.ArenaTest is < 1)
        {
            builder.AddResult(ValidateOptionsResult.Fail($"{nameof(options.ArenaTest)} must be at least 1 (glibc.malloc.arena_test); got {options.ArenaTest}."));
        }

        if (options.ProcessorCount < 1)
        {
            builder.AddResult(ValidateOptionsResult.Fail($"{nameof(options.ProcessorCount)} must be at least 1; got {options.ProcessorCount}."));
        }

        if (!Enum.IsDefined(options.CheckLevel))
        {
            builder.AddResult(ValidateOptionsResult.Fail($"{nameof(options.CheckLevel)} must be None, Cheap or Full; got {(int)options.CheckLevel}."));
        }

        return builder.Build();
    }
}
