// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Strategies.Buddy;

/// <summary>A request above the largest order, served by its own mapping.</summary>
internal readonly record struct BuddyLargeBlock(ulong MappingStart, ulong MappingLength, ulong Address, ulong RequestedSize)
{
    public ulong UsableSize => MappingStart + MappingLength - Address;
}
