// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Numerics;

namespace Allocators.Strategies.Shared;

/// <summary>Overflow-aware alignment arithmetic shared by the strategies.</summary>
internal static class AlignmentMath
{
    /// <summary>The alignment every strategy guarantees (x86-64 glibc MALLOC_ALIGNMENT).</summary>
    internal const ulong MinimumAlignment = 16;

    internal static bool IsPowerOfTwo(ulong value) => value != 0 && (value & (value - 1)) == 0;

    internal static ulong AlignDown(ulong value, ulong alignment) => value & ~(alignment - 1);

    /// <summary>Rounds <paramref name="value"/> up to a power-of-two <paramref name="alignment"/>; false when it overflows.</summary>
    internal static bool TryAlignUp(ulong value, ulong alignment, out ulong result)
    {
        ulong mask = alignment - 1;
        if (value > ulong.MaxValue - mask)
        {
            result = 0;
            return false;
        }

        result = (value + mask) & ~mask;
        return true;
    }

    internal static ulong AlignUp(ulong value, ulong alignment) => (value + alignment - 1) & ~(alignment - 1);

    /// <summary>The smallest n with 2^n ≥ value (value ≥ 1).</summary>
    internal static int CeilLog2(ulong value) => value <= 1 ? 0 : 64 - BitOperations.LeadingZeroCount(value - 1);

    internal static bool TryMultiply(ulong a, ulong b, out ulong product)
    {
        ulong high = Math.BigMul(a, b, out product);
        return high == 0;
    }
}
