// Copyright (c) Allocators contributors. MIT License.

using System;
using Microsoft.Extensions.Options;

namespace Allocators.Strategies.Buddy;

/// <summary>Validates <see cref="BuddyAllocatorOptions"/>, listing every failure.</summary>
public sealed class BuddyAllocatorOptionsValidator : IValidateOptions<BuddyAllocatorOptions>
{
    /// <summary>The smallest allowed <see cref="BuddyAllocatorOptions.MinOrder"/>: 32-byte blocks (a free one holds a 16-byte node), like glibc's minimum chunk.</summary>
    internal const int LowestMinOrder = 5;

    /// <summary>The largest allowed <see cref="BuddyAllocatorOptions.MaxOrder"/> (1 GiB regions; requested sizes fit 32 bits).</summary>
    internal const int HighestMaxOrder = 30;

    /// <summary>The most orders one region may span (keeps the per-region map at most 16 MiB of host memory).</summary>
    internal const int MaxOrderSpan = 24;

    /// <summary>The largest allowed <see cref="BuddyAllocatorOptions.PerOrderCacheBlocks"/>.</summary>
    internal const int MaxPerOrderCacheBlocks = 4096;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, BuddyAllocatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ValidateOptionsResultBuilder();
        if (options.MinOrder < LowestMinOrder || options.MinOrder > HighestMaxOrder)
        {
            builder.AddError($"must be from {LowestMinOrder} (32-byte blocks, glibc's minimum chunk) to {HighestMaxOrder}, was {options.MinOrder}.", nameof(options.MinOrder));
        }

        if (options.MaxOrder < 12 || options.MaxOrder > HighestMaxOrder)
        {
            builder.AddError($"must be from 12 (one 4 KiB page per region at least) to {HighestMaxOrder}, was {options.MaxOrder}.", nameof(options.MaxOrder));
        }

        if (options.MinOrder > options.MaxOrder)
        {
            builder.AddError($"must not exceed MaxOrder ({options.MaxOrder}), was {options.MinOrder}.", nameof(options.MinOrder));
        }
        else if (options.MaxOrder - options.MinOrder > MaxOrderSpan)
        {
            builder.AddError($"minus MinOrder must be at most {MaxOrderSpan} (the per-region map would be too large), was {options.MaxOrder - options.MinOrder}.", nameof(options.MaxOrder));
        }

        if (options.KeepEmptyRegions < 0)
        {
            builder.AddError($"must be at least 0, was {options.KeepEmptyRegions}.", nameof(options.KeepEmptyRegions));
        }

        if (options.PerOrderCacheBlocks < 0 || options.PerOrderCacheBlocks > MaxPerOrderCacheBlocks)
        {
            builder.AddError($"must be from 0 (no cache: every free merges at once) to {MaxPerOrderCacheBlocks}, was {options.PerOrderCacheBlocks}.", nameof(options.PerOrderCacheBlocks));
        }

        if (!Enum.IsDefined(options.RegionSource))
        {
            builder.AddError($"is not a defined BuddyRegionSource ({(int)options.RegionSource}).", nameof(options.RegionSource));
        }

        if (!Enum.IsDefined(options.CheckLevel))
        {
            builder.AddError($"is not a defined HeapCheckLevel ({(int)options.CheckLevel}).", nameof(options.CheckLevel));
        }

        return builder.Build();
    }
}
