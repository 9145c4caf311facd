// Copyright (c) Allocators contributors. MIT License.

using System.Runtime.CompilerServices;

namespace Allocators.Strategies.Buddy;

/// <summary>Free-list words through any <see cref="ISimulatedOs"/> (a decorator, a test double).</summary>
internal readonly struct BuddyProcessMemory(ISimulatedOs os) : IBuddyMemory
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Load(ulong address) => os.ReadUInt64(address);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(ulong address, ulong value) => os.WriteUInt64(address, value);
}
