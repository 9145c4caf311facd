// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Os;

/// <summary>C-library wrappers over <see cref="ISimulatedOs"/> system calls.</summary>
public static class SimulatedOsExtensions
{
    /// <summary>The value sbrk returns on failure: (void *) −1.</summary>
    public const ulong SbrkFailed = ulong.MaxValue;

    /// <summary>
    /// sbrk(3) as glibc implements it once the break is known: <paramref name="increment"/> 0 returns the current
    /// break without a system call; otherwise one brk call moves the break and the previous break is returned, or
    /// <see cref="SbrkFailed"/> when brk refused or the new break would wrap around (ENOMEM, no system call then).
    /// </summary>
    /// <param name="os">The process.</param>
    /// <param name="increment">The signed change of the break in bytes.</param>
    /// <returns>The previous break, or <see cref="SbrkFailed"/>.</returns>
    public static ulong Sbrk(this ISimulatedOs os, long increment)
    {
        System.ArgumentNullException.ThrowIfNull(os);
        ulong current = os.CurrentBreak;
        if (increment == 0)
        {
            return current;
        }

        ulong magnitude = increment > 0 ? (ulong)increment : 0UL - (ulong)increment;
        if (increment > 0 ? magnitude > ulong.MaxValue - current : magnitude > current)
        {
            return SbrkFailed;
        }

        ulong target = increment > 0 ? current + magnitude : current - magnitude;
        return os.Brk(target) == target ? current : SbrkFailed;
    }
}
