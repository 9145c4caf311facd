// Copyright (c) Allocators contributors. MIT License.

using FsCheck;
using FsCheck.Fluent;

namespace Allocators.Testing;

/// <summary>FsCheck generators and shrinkers of allocator operation sequences.</summary>
public static class OperationGenerators
{
    /// <summary>One operation with boundary-biased sizes up to <paramref name="maxBytes"/>.</summary>
    /// <param name="maxBytes">The largest request.</param>
    /// <param name="maxAlignment">The largest memalign alignment.</param>
    /// <returns>The generator.</returns>
    public static Gen<AllocatorOperation> Operation(ulong maxBytes = 1 << 20, ulong maxAlignment = 65536)
    {
        Gen<int> index = Gen.Choose(0, 1000);
        return Gen.Frequency(
            (30, BoundarySizes.Size(maxBytes).Select(AllocatorOperation.Malloc)),
            (8, BoundarySizes.CallocArguments(maxBytes).Select(a => AllocatorOperation.Calloc(a.Count, a.Size))),
            (15, index.SelectMany(i => BoundarySizes.Size(maxBytes).Select(s => AllocatorOperation.Realloc(i, s)))),
            (7, BoundarySizes.Alignment(maxAlignment).SelectMany(a => BoundarySizes.Size(maxBytes).Select(s => AllocatorOperation.Memalign(a, s)))),
            (38, index.Select(AllocatorOperation.Free)),
            (2, Gen.Elements(0UL, 4096UL, 128UL * 1024).Select(AllocatorOperation.Trim)));
    }

    /// <summary>A sequence of 0..<paramref name="maxLength"/> operations.</summary>
    /// <param name="maxLength">The longest sequence.</param>
    /// <param name="maxBytes">The largest request.</param>
    /// <param name="maxAlignment">The largest memalign alignment.</param>
    /// <returns>The generator.</returns>
    public static Gen<AllocatorOperation[]> Sequence(int maxLength = 100, ulong maxBytes = 1 << 20, ulong maxAlignment = 65536)
        => Gen.Choose(0, maxLength).SelectMany(length => Operation(maxBytes, maxAlignment).ArrayOf(length));

    /// <summary>The arbitrary (generator and shrinker) of operation sequences.</summary>
    /// <param name="maxLength">The longest sequence.</param>
    /// <param name="maxBytes">The largest request.</param>
    /// <param name="maxAlignment">The largest memalign alignment.</param>
    /// <returns>The arbitrary.</returns>
    public static Arbitrary<AllocatorOperation[]> Arbitrary(int maxLength = 100, ulong maxBytes = 1 << 20, ulong maxAlignment = 65536)
        => Arb.From(Sequence(maxLength, maxBytes, maxAlignment), Shrink);

    /// <summary>Shrinks a sequence: drop halves, then single steps, then make sizes smaller.</summary>
    /// <param name="operations">The failing sequence.</param>
    /// <returns>Smaller candidates.</returns>
    public static IEnumerable<AllocatorOperation[]> Shrink(AllocatorOperation[] operations)
    {
        int n = operations.Length;
        if (n == 0)
        {
            yield break;
        }

        if (n > 1)
        {
            yield return operations[..(n / 2)];
            yield return operations[(n / 2)..];
        }

        for (int i = n - 1; i >= 0; i--)
        {
            yield return [.. operations[..i], .. operations[(i + 1)..]];
        }

        for (int i = 0; i < n; i++)
        {
            AllocatorOperation op = operations[i];
            if (op.Size > 16 && op.Kind != OperationKind.Free)
            {
                AllocatorOperation[] copy = (AllocatorOperation[])operations.Clone();
                copy[i] = op with { Size = op.Size / 2 };
                yield return copy;
            }
        }
    }
}
