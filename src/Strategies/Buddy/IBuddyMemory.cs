// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Strategies.Buddy;

/// <summary>
/// How the free-list words are read and written. The hot paths are generic over a struct implementing this, so the JIT compiles
/// them once for the sealed <see cref="Allocators.Os.SimulatedOs"/> (its inlined page-table walk, no interface call, no test on
/// every word) and once for any other <see cref="ISimulatedOs"/>.
/// </summary>
internal interface IBuddyMemory
{
    /// <summary>Reads the 8-byte word at <paramref name="address"/>.</summary>
    ulong Load(ulong address);

    /// <summary>Writes the 8-byte word at <paramref name="address"/>.</summary>
    void Store(ulong address, ulong value);
}
