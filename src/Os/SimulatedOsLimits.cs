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
    private ulong _overcommitLimitBytes;

    internal SimulatedOsLimits(SimulatedOsOptions options)
    {
        _addressSpaceLimitBytes = options.AddressSpaceLimitBytes;
        _dataLimitBytes = options.DataLimitBytes;
        _maxMapCount = options.MaxMapCount;
        _overcommitLimitBytes = options.OvercommitLimitBytes;
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

    /// <summary>
    /// Gets or sets the heuristic overcommit bound: one accounted request (brk growth, private writable mmap without
    /// MAP_NORESERVE, mremap growth) larger than this fails with ENOMEM; 0 turns the check off.
    /// </summary>
    public ulong OvercommitLimitBytes
    {
        get => Volatile.Read(ref _overcommitLimitBytes);
        set => Volatile.Write(ref _overcommitLimitBytes, value);
    }

    /// <summary>Gets or sets vm.max_map_count (at least 1).</summary>
    public int MaxMapCount
    {
        get => Volatile.Read(ref _maxMapCount);
        set => Volatile.Write(ref _maxMapCount, value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "MaxMapCount must be at least 1."));
    }

    /// <summary>Tests one accounted request against <see cref="OvercommitLimitBytes"/>.</summary>
    internal bool ExceedsOvercommit(ulong bytes)
    {
        ulong limit = OvercommitLimitBytes;
        return limit != 0 && bytes > limit;
    }
}
