// Copyright (c) Allocators contributors. MIT License.

namespace Allocators;

/// <summary>One mapping of the simulated process, as a line of /proc/self/maps shows it.</summary>
/// <param name="Start">The first address.</param>
/// <param name="End">One past the last address.</param>
/// <param name="Protection">The protection.</param>
/// <param name="IsHeap">True for the brk heap ([heap]).</param>
/// <param name="ResidentBytes">Touched bytes of this mapping (bytes).</param>
public readonly record struct MappingInfo(ulong Start, ulong End, Protection Protection, bool IsHeap, ulong ResidentBytes)
{
    /// <summary>Gets the length in bytes.</summary>
    public ulong Length => End - Start;

    /// <inheritdoc/>
    public override string ToString()
        => $"{Start:x}-{End:x} {((Protection & Protection.Read) != 0 ? 'r' : '-')}{((Protection & Protection.Write) != 0 ? 'w' : '-')}{((Protection & Protection.Exec) != 0 ? 'x' : '-')}p {(IsHeap ? "[heap]" : string.Empty)}".TrimEnd();
}
