// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Strategies.Glibc;

/// <summary>glibc's <c>M_*</c> parameter ids for <see cref="GlibcAllocator.Mallopt"/> (malloc.h).</summary>
public static class GlibcMallopt
{
    /// <summary>M_MXFAST: the largest fastbin request (0..160).</summary>
    public const int MxFast = 1;

    /// <summary>M_NLBLKS: ignored.</summary>
    public const int NlBlks = 2;

    /// <summary>M_GRAIN: ignored.</summary>
    public const int Grain = 3;

    /// <summary>M_KEEP: ignored.</summary>
    public const int Keep = 4;

    /// <summary>M_TRIM_THRESHOLD.</summary>
    public const int TrimThreshold = -1;

    /// <summary>M_TOP_PAD.</summary>
    public const int TopPad = -2;

    /// <summary>M_MMAP_THRESHOLD.</summary>
    public const int MmapThreshold = -3;

    /// <summary>M_MMAP_MAX.</summary>
    public const int MmapMax = -4;

    /// <summary>M_CHECK_ACTION: no effect in libc.so.</summary>
    public const int CheckAction = -5;

    /// <summary>M_PERTURB.</summary>
    public const int Perturb = -6;

    /// <summary>M_ARENA_TEST.</summary>
    public const int ArenaTest = -7;

    /// <summary>M_ARENA_MAX.</summary>
    public const int ArenaMax = -8;
}
