// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Numerics;
using Microsoft.Extensions.Options;

namespace Allocators.Strategies.Slab;

/// <summary>Validates <see cref="SlabAllocatorOptions"/>, listing every failure; used by DI and by the <see cref="SlabAllocator"/> constructor alike.</summary>
public sealed class SlabAllocatorOptionsValidator : IValidateOptions<SlabAllocatorOptions>
{
    internal const int MaxCount = 4096;
    internal const int MaxPagesLimit = 64;
    internal const long MaxDepotBytes = 1L << 30;
    internal const ulong MaxDepotMagazines = 1 << 16;

    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, SlabAllocatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ValidateOptionsResultBuilder();
        CheckRange(builder, options.MagazineSize, 0, MaxCount, nameof(SlabAllocatorOptions.MagazineSize));
        CheckRange(builder, options.DepotMagazines, 0, MaxCount, nameof(SlabAllocatorOptions.DepotMagazines));
        CheckRange(builder, options.EmptySlabsPerCache, 0, MaxCount, nameof(SlabAllocatorOptions.EmptySlabsPerCache));
        if (options.DepotBytesPerCache < 0 || options.DepotBytesPerCache > MaxDepotBytes)
        {
            builder.AddError($"must be between 0 and {MaxDepotBytes} (value={options.DepotBytesPerCache}).", nameof(SlabAllocatorOptions.DepotBytesPerCache));
        }

        CheckRange(builder, options.MaxPagesPerSlab, 1, MaxPagesLimit, nameof(SlabAllocatorOptions.MaxPagesPerSlab));
        CheckRange(builder, options.MinObjectsPerSlab, 1, MaxCount, nameof(SlabAllocatorOptions.MinObjectsPerSlab));
        if (options.CacheLineBytes < 16 || options.CacheLineBytes > 4096 || !BitOperations.IsPow2(options.CacheLineBytes))
        {
            builder.AddError($"must be a power of two from 16 to 4096 (value={options.CacheLineBytes}).", nameof(SlabAllocatorOptions.CacheLineBytes));
        }

        if (!Enum.IsDefined(options.CheckLevel))
        {
            builder.AddError($"is not a defined {nameof(HeapCheckLevel)} (value={(int)options.CheckLevel}).", nameof(SlabAllocatorOptions.CheckLevel));
        }

        return builder.Build();
    }

    private static void CheckRange(ValidateOptionsResultBuilder builder, int value, int min, int max, string property)
    {
        if (value < min || value > max)
        {
            builder.AddError($"must be between {min} and {max} (value={value}).", property);
        }
    }
}
