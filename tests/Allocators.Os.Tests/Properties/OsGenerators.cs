// Copyright (c) Allocators contributors. MIT License.

using FsCheck;
using FsCheck.Fluent;

namespace Allocators.Os.Tests.Properties;

internal static class OsGenerators
{
    public const int WindowPages = 48;

    /// <summary>Scales the number of FsCheck cases with ALLOCATORS_PROPERTY_SCALE (default 1).</summary>
    public static int Scale
        => int.TryParse(Environment.GetEnvironmentVariable("ALLOCATORS_PROPERTY_SCALE"), out int scale) && scale > 0 ? scale : 1;

    public static Gen<Protection> Protections { get; } = Gen.Frequency(
        (6, Gen.Constant(Protection.ReadWrite)),
        (2, Gen.Constant(Protection.Read)),
        (2, Gen.Constant(Protection.None)));

    public static Gen<OsOperation> Operation { get; } =
        from kind in Gen.Frequency(
            (4, Gen.Constant(OsOperationKind.MmapAnywhere)),
            (2, Gen.Constant(OsOperationKind.MmapFixed)),
            (1, Gen.Constant(OsOperationKind.MmapFixedNoReplace)),
            (3, Gen.Constant(OsOperationKind.Munmap)),
            (2, Gen.Constant(OsOperationKind.Mprotect)),
            (2, Gen.Constant(OsOperationKind.MadviseDontNeed)),
            (2, Gen.Constant(OsOperationKind.Mremap)),
            (5, Gen.Constant(OsOperationKind.Write)),
            (4, Gen.Constant(OsOperationKind.Read)))
        from page in Gen.Choose(0, WindowPages - 1)
        from count in Gen.Choose(1, 8)
        from newCount in Gen.Choose(1, 10)
        from protection in Protections
        from value in Gen.Choose(1, int.MaxValue)
        select new OsOperation(kind, page, count, newCount, protection, (ulong)value * 0x9E3779B1UL);

    public static Arbitrary<OsOperation[]> Operations { get; } = Arb.From(Gen.ArrayOf(Operation), ShrinkOperations);

    private static IEnumerable<OsOperation[]> ShrinkOperations(OsOperation[] operations)
    {
        if (operations.Length == 0)
        {
            yield break;
        }

        yield return operations[..(operations.Length / 2)];
        yield return operations[(operations.Length / 2)..];
        for (int i = 0; i < operations.Length; i++)
        {
            yield return [.. operations[..i], .. operations[(i + 1)..]];
        }
    }
}
