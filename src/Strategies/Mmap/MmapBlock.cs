// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Strategies.Mmap;

/// <summary>
/// Out-of-band record of one mmap block: the whole mapping (guards included), its read-write data pages, the address
/// handed out and the size asked for.
/// </summary>
internal readonly record struct MmapBlock(ulong RegionStart, ulong RegionLength, ulong DataStart, ulong DataLength, ulong UserAddress, ulong RequestedSize, ulong Alignment)
{
    public ulong RegionEnd => RegionStart + RegionLength;

    public ulong DataEnd => DataStart + DataLength;

    public ulong GuardBeforeLength => DataStart - RegionStart;

    public ulong GuardAfterLength => RegionEnd - DataEnd;

    public ulong UsableSize => DataEnd - UserAddress;

    public string Describe() => $"block 0x{UserAddress:x} of {RequestedSize} bytes (data 0x{DataStart:x}-0x{DataEnd:x}, mapping 0x{RegionStart:x}-0x{RegionEnd:x})";
}
