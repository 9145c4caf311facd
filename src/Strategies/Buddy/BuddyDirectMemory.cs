// Copyright (c) Allocators contributors. MIT License.

using System.Runtime.CompilerServices;
using Allocators.Os;

namespace Allocators.Strategies.Buddy;

/// <summary>
/// Free-list words through the allocator's <see cref="DirectAccessWindow"/> over the sealed <see cref="SimulatedOs"/>: a word of
/// a page in the window's run (regions are mapped next to each other in the mmap window) is one range test and one host load;
/// first touches, faults and anything else go through the process, so page faults and RSS stay exact.
/// </summary>
internal readonly struct BuddyDirectMemory(DirectAccessWindow window) : IBuddyMemory
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Load(ulong address) => window.ReadMappedUInt64(address);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(ulong address, ulong value) => window.WriteMappedUInt64(address, value);
}
