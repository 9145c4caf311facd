// Copyright (c) Allocators contributors. MIT License.

using System;
using Allocators.Strategies.Shared;
using Microsoft.Extensions.Options;

namespace Allocators.Strategies.Mmap;

/// <summary>Validates <see cref="MmapAllocatorOptions"/>, listing every failure.</summary>
public sealed class MmapAllocatorOptionsValidator : IValidateOptions<MmapAllocatorOptions>
{
    /// <summary>The largest alignment accepted for <see cref="MmapAllocatorOptions.AlignmentBytes"/> (the smallest supported page size).</summary>
    internal const ulong MaxAlignmentBytes = 4096;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, MmapAllocatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ValidateOptionsResultBuilder();
        if (!AlignmentMath.IsPowerOfTwo(options.AlignmentBytes) || options.AlignmentBytes < AlignmentMath.MinimumAlignment || options.AlignmentBytes > MaxAlignmentBytes)
        {
            builder.AddError($"must be a power of two from 16 to {MaxAlignmentBytes}, was {options.AlignmentBytes}.", nameof(options.AlignmentBytes));
        }

        if (options.QuarantineMaxBlocks < 1)
        {
            builder.AddError($"must be at least 1, was {options.QuarantineMaxBlocks}.", nameof(options.QuarantineMaxBlocks));
        }

        if (options.QuarantineMaxBytes < MaxAlignmentBytes)
        {
            builder.AddError($"must be at least one page ({MaxAlignmentBytes} bytes), was {options.QuarantineMaxBytes}.", nameof(options.QuarantineMaxBytes));
        }

        if (!Enum.IsDefined(options.CheckLevel))
        {
            builder.AddError($"is not a defined HeapCheckLevel ({(int)options.CheckLevel}).", nameof(options.CheckLevel));
        }

        return builder.Build();
    }
}
