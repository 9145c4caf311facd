// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Strategies.Tests.BadInput;

/// <summary>One hostile use of an allocator, after mimalloc-bench's security tests.</summary>
/// <param name="Name">A short id (the row of the table in docs/bad-input.md).</param>
/// <param name="Description">What the case does, in C terms.</param>
/// <param name="Body">Runs the case; the first exception ends it.</param>
internal sealed record BadInputCase(string Name, string Description, Action<BadInputProbe> Body)
{
    /// <inheritdoc />
    public override string ToString() => Name;
}
