// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Threading;

namespace Allocators.Os;

/// <summary>
/// The resource limits of a <see cref="SimulatedOs"/> (setrlimit and sysctl), adjustable at any time. Lowering a
/// limit below the current usage makes later growth fail, exactly as on Linux; nothing already mapped is taken away.
/// </summary>
public sealed class SimulatedOsLimits
{
    private ulong _addressSpaceLimitBytes;
    private ulong _dataLimitBytes;
    private int _maxMapCount;

    internal SimulatedOsLimits(SimulatedOsOptions options)
    {
        _addressSpaceLimitBytes = options.AddressSpaceLimitBytes;
        _dataLimitBytes = options.DataLimitBytes;
        _maxMapCount = options.MaxMapCount;
    }

    /// <summary>Gets or sets RLIMIT_AS (bytes of virtual size, heap included); 0 means unlimited.</summary>
    public ulong AddressSpaceLimitBytes
    {
        get => Volatile.Read(ref _addressSpaceLimitBytes);
        set => Volatile.Write(ref _addressSpaceLimitBytes, value);
    }

    /// <summary>Gets or sets RLIMIT_DATA (bytes of brk heap plus private writable mappings); 0 means unlimited.</summary>
    public ulong DataLimitBytes
    {
        get => Volatile.Read(ref _dataLimitBytes);
        set => Volatile.Write(ref _dataLimitBytes, value);
    }

    /// <summary>Gets or sets vm.max_map_count (at least 1).</summary>
    public int MaxMapCount
    {
        get => Volatile.Read(ref _maxMapCount);
        set => Volatile.Write(ref _maxMapCount, value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "MaxMapCount must be at least 1."));
    }
}
