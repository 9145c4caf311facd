// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads;

/// <summary>A small deterministic PRNG (splitmix64): the same seed gives the same sequence on every platform and runtime.</summary>
internal sealed class SplitMix64
{
    private ulong _state;

    public SplitMix64(ulong seed) => _state = seed;

    public ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, bound).</summary>
    public ulong Below(ulong bound) => bound <= 1 ? 0 : (ulong)(((System.UInt128)Next() * bound) >> 64);

    /// <summary>Uniform in [low, high).</summary>
    public ulong Between(ulong low, ulong high) => low + Below(high - low);

    /// <summary>Uniform int in [0, bound).</summary>
    public int Index(int bound) => (int)Below((ulong)bound);

    /// <summary>True with probability <paramref name="percent"/>/100.</summary>
    public bool Chance(int percent) => Below(100) < (ulong)percent;

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A generator for a sub-stream (a thread), independent of this one.</summary>
    public SplitMix64 Fork() => new(Next());
}
