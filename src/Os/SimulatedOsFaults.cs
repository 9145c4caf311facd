// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Threading;

namespace Allocators.Os;

/// <summary>
/// Deterministic fault injection of a <see cref="SimulatedOs"/>, adjustable at any time (tests use it to make memory
/// run out and come back). Every injected failure is an ENOMEM, counted and logged like a real one.
/// </summary>
public sealed class SimulatedOsFaults
{
    private long _failNthBrk;
    private long _failNthMmap;
    private ulong _failMmapAboveBytes;
    private long _pendingBrkFailures;
    private long _pendingMmapFailures;

    internal SimulatedOsFaults(SimulatedOsOptions options)
    {
        _failNthBrk = options.FailNthBrk;
        _failNthMmap = options.FailNthMmap;
        _failMmapAboveBytes = options.FailMmapAboveBytes;
    }

    /// <summary>
    /// Gets or sets the 1-based ordinal of the brk call that fails; queries (brk(NULL)) are not counted; 0 is off.
    /// The ordinal counts from the creation of the process (see <see cref="OsStatistics.Brk"/> minus queries).
    /// </summary>
    public long FailNthBrk
    {
        get => Volatile.Read(ref _failNthBrk);
        set => Volatile.Write(ref _failNthBrk, NonNegative(value));
    }

    /// <summary>Gets or sets the 1-based ordinal of the mmap call that fails (every mmap call counts); 0 is off.</summary>
    public long FailNthMmap
    {
        get => Volatile.Read(ref _failNthMmap);
        set => Volatile.Write(ref _failNthMmap, NonNegative(value));
    }

    /// <summary>Gets or sets a size above which every mmap fails (bytes, after page rounding); 0 is off.</summary>
    public ulong FailMmapAboveBytes
    {
        get => Volatile.Read(ref _failMmapAboveBytes);
        set => Volatile.Write(ref _failMmapAboveBytes, value);
    }

    /// <summary>Gets the number of brk calls still to fail because of <see cref="FailNextBrk"/>.</summary>
    public long PendingBrkFailures => Volatile.Read(ref _pendingBrkFailures);

    /// <summary>Gets the number of mmap calls still to fail because of <see cref="FailNextMmap"/>.</summary>
    public long PendingMmapFailures => Volatile.Read(ref _pendingMmapFailures);

    /// <summary>Makes the next <paramref name="count"/> growing brk calls fail with ENOMEM (queries and shrinks pass).</summary>
    /// <param name="count">How many calls fail; must not be negative.</param>
    public void FailNextBrk(int count = 1) => Interlocked.Add(ref _pendingBrkFailures, NonNegative(count));

    /// <summary>Makes the next <paramref name="count"/> valid mmap calls fail with ENOMEM.</summary>
    /// <param name="count">How many calls fail; must not be negative.</param>
    public void FailNextMmap(int count = 1) => Interlocked.Add(ref _pendingMmapFailures, NonNegative(count));

    /// <summary>Turns every fault off, so memory "returns".</summary>
    public void Reset()
    {
        FailNthBrk = 0;
        FailNthMmap = 0;
        FailMmapAboveBytes = 0;
        Volatile.Write(ref _pendingBrkFailures, 0);
        Volatile.Write(ref _pendingMmapFailures, 0);
    }

    /// <summary>Decides whether the brk call with this ordinal fails; consumes one pending failure when it does.</summary>
    internal bool ShouldFailBrk(long ordinal, bool grows)
    {
        if (ordinal == FailNthBrk)
        {
            return true;
        }

        return grows && TryConsume(ref _pendingBrkFailures);
    }

    /// <summary>Decides whether the mmap call with this ordinal and page-rounded length fails.</summary>
    internal bool ShouldFailMmap(long ordinal, ulong length)
    {
        if (ordinal == FailNthMmap)
        {
            return true;
        }

        ulong above = FailMmapAboveBytes;
        if (above != 0 && length > above)
        {
            return true;
        }

        return TryConsume(ref _pendingMmapFailures);
    }

    private static bool TryConsume(ref long counter)
    {
        while (true)
        {
            long current = Volatile.Read(ref counter);
            if (current <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref counter, current - 1, current) == current)
            {
                return true;
            }
        }
    }

    private static long NonNegative(long value, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(value))] string? name = null)
        => value >= 0 ? value : throw new ArgumentOutOfRangeException(name, value, "Must be 0 (off) or positive.");
}
