// Copyright (c) Allocators contributors. MIT License.

using System.Runtime.CompilerServices;
using Allocators.Os;

namespace Allocators.Strategies.Buddy;

/// <summary>Free-list words through the sealed <see cref="SimulatedOs"/>, whose word accessors inline.</summary>
internal readonly struct BuddyDirectMemory(SimulatedOs os) : IBuddyMemory
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Load(ulong address) => os.ReadUInt64(address);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(ulong address, ulong value) => os.WriteUInt64(address, value);
}
