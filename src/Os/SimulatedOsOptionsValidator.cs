// Copyright (c) Allocators contributors. MIT License.

using System.Numerics;
using Microsoft.Extensions.Options;

namespace Allocators.Os;

/// <summary>Validates <see cref="SimulatedOsOptions"/>, listing every failure.</summary>
public sealed class SimulatedOsOptionsValidator : IValidateOptions<SimulatedOsOptions>
{
    /// <summary>The end of the x86-64 user address space with 47-bit virtual addresses (TASK_SIZE_MAX + one page).</summary>
    internal const ulong AddressSpaceEnd = 1UL << 47;

    internal const int MaxPageSize = 1 << 30;

    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, SimulatedOsOptions options)
    {
        var builder = new ValidateOptionsResultBuilder();
        if (options is null)
        {
            builder.AddError("The options object is null.");
            return builder.Build();
        }

        int pageSize = options.PageSize;
        bool pageSizeValid = pageSize >= 4096 && pageSize <= MaxPageSize && BitOperations.IsPow2(pageSize);
        if (!pageSizeValid)
        {
            builder.AddError($"must be a power of two from 4096 to {MaxPageSize}, but is {pageSize}.", nameof(SimulatedOsOptions.PageSize));
        }

        ulong mask = pageSizeValid ? (ulong)pageSize - 1 : 4095;
        ulong taskSize = AddressSpaceEnd - (mask + 1);
        if ((options.BreakStart & mask) != 0)
        {
            builder.AddError($"must be a multiple of the page size ({mask + 1}), but is 0x{options.BreakStart:x}.", nameof(SimulatedOsOptions.BreakStart));
        }

        if (options.BreakStart < options.MmapMinAddress || options.BreakStart >= taskSize)
        {
            builder.AddError(
                $"must lie in [MmapMinAddress 0x{options.MmapMinAddress:x}, 0x{taskSize:x}), but is 0x{options.BreakStart:x}.",
                nameof(SimulatedOsOptions.BreakStart));
        }

        if ((options.MmapBase & mask) != 0)
        {
            builder.AddError($"must be a multiple of the page size ({mask + 1}), but is 0x{options.MmapBase:x}.", nameof(SimulatedOsOptions.MmapBase));
        }

        if (options.MmapBase <= options.MmapMinAddress || options.MmapBase > taskSize)
        {
            builder.AddError(
                $"must lie in (MmapMinAddress 0x{options.MmapMinAddress:x}, 0x{taskSize:x}], but is 0x{options.MmapBase:x}.",
                nameof(SimulatedOsOptions.MmapBase));
        }

        if (options.MmapMinAddress >= taskSize)
        {
            builder.AddError($"must be below 0x{taskSize:x}, but is 0x{options.MmapMinAddress:x}.", nameof(SimulatedOsOptions.MmapMinAddress));
        }

        if (options.HeapReservationBytes == 0 || (options.HeapReservationBytes & mask) != 0 || options.HeapReservationBytes > AddressSpaceEnd / 2)
        {
            builder.AddError(
                $"must be a non-zero multiple of the page size ({mask + 1}) of at most 0x{AddressSpaceEnd / 2:x}, but is {options.HeapReservationBytes}.",
                nameof(SimulatedOsOptions.HeapReservationBytes));
        }

        if (options.MmapReservationBytes == 0 || (options.MmapReservationBytes & mask) != 0 || options.MmapReservationBytes > AddressSpaceEnd / 2)
        {
            builder.AddError(
                $"must be a non-zero multiple of the page size ({mask + 1}) of at most 0x{AddressSpaceEnd / 2:x}, but is {options.MmapReservationBytes}.",
                nameof(SimulatedOsOptions.MmapReservationBytes));
        }

        if (options.HeapHugePageBytes % SimulatedOsOptions.HostHugePageBytes != 0)
        {
            builder.AddError(
                $"must be 0 (off) or a multiple of 2 MiB ({SimulatedOsOptions.HostHugePageBytes}), but is {options.HeapHugePageBytes}.",
                nameof(SimulatedOsOptions.HeapHugePageBytes));
        }

        if (options.MaxMappingBytes < (ulong)System.Math.Max(options.PageSize, 1))
        {
            builder.AddError($"must be at least one page ({options.PageSize}), but is {options.MaxMappingBytes}.", nameof(SimulatedOsOptions.MaxMappingBytes));
        }

        if (options.MaxMapCount < 1)
        {
            builder.AddError($"must be at least 1, but is {options.MaxMapCount}.", nameof(SimulatedOsOptions.MaxMapCount));
        }

        if (options.FailNthBrk < 0)
        {
            builder.AddError($"must be 0 (off) or positive, but is {options.FailNthBrk}.", nameof(SimulatedOsOptions.FailNthBrk));
        }

        if (options.FailNthMmap < 0)
        {
            builder.AddError($"must be 0 (off) or positive, but is {options.FailNthMmap}.", nameof(SimulatedOsOptions.FailNthMmap));
        }

        return builder.Build();
    }
}
