// Copyright (c) Allocators contributors. MIT License.

using Allocators.Testing;
using Allocators.Workloads.Tests.Oracle;

namespace Allocators.Workloads.Tests.BadInputOracle;

/// <summary>
/// The bad-input cases of tests/Allocators.Strategies.Tests/BadInput (docs/bad-input.md) written as oracle scripts, with
/// what glibc 2.36 does: abort with a message at an operation (signal 6), die of SIGSEGV (signal 11), or complete
/// (compared by the oracle: same results, same stop).
/// The abort messages are the ones the strategy matrix asserts for the glibc fixtures; the real glibc is compared
/// through the oracle. free-foreign (an absolute address outside every mapping) has no script form and is covered by the matrix only.
/// </summary>
internal static class BadInputScripts
{
    /// <summary>No tcache and no fastbins: the glibc/checked-nocache fixture's allocation paths.</summary>
    public static readonly IReadOnlyDictionary<string, string> NoCache = new Dictionary<string, string>
    {
        ["GLIBC_TUNABLES"] = "glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0",
    };

    /// <summary>
    /// The real runs switch address randomization off (the oracle re-executes itself with ADDR_NO_RANDOMIZE): a script
    /// that overwrites a safe-linked pointer with fixed bytes reveals a pointer whose alignment depends on the heap's
    /// address bits, so with randomization one run in 16 would end in SIGSEGV instead of glibc's alignment check.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> FixedLayout = new Dictionary<string, string>
    {
        ["ALLOCATORS_ORACLE_NO_ASLR"] = "1",
    };

    /// <summary><see cref="NoCache"/> with <see cref="FixedLayout"/>.</summary>
    public static readonly IReadOnlyDictionary<string, string> NoCacheFixedLayout = new Dictionary<string, string>
    {
        ["GLIBC_TUNABLES"] = "glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0",
        ["ALLOCATORS_ORACLE_NO_ASLR"] = "1",
    };

    private static readonly (string Name, string Script, ExpectedStop? Stop, ExpectedStop? NoCacheStop)[] s_cases =
    [
        ("double-free", "malloc 24;free 0;free 0", new(2, 6, "free(): double free detected in tcache 2"), new(2, 6, "double free or corruption (top)")),
        ("double-free-later", "malloc 24;malloc 100;free 0;malloc 200;free 1;free 0",
            new(5, 6, "free(): double free detected in tcache 2"), new(5, 6, "double free or corruption (!prev)")),
        ("double-free-large", "malloc 200000;malloc 24;free 0;free 0", new(3, 11, null), new(3, 11, null)),
        // The matrix fills p with BlockPattern (seed 1), so the word free reads as p+16's size is the pattern at p+8.
        ("free-interior", $"malloc 100;poke 0+8 8 {PatternWord(8)};free 0+16",
            new(2, 6, "munmap_chunk(): invalid pointer"), new(2, 6, "munmap_chunk(): invalid pointer")),
        ("free-never-allocated", "malloc 100;free 0+256", new(1, 6, "free(): invalid pointer"), new(1, 6, "free(): invalid pointer")),
        ("overflow-1", "malloc 24;malloc 24;poke 0+24 1 0x41;free 0;malloc 24", null, new(3, 6, "corrupted size vs. prev_size")),
        ("overflow-32", "malloc 24;malloc 24;fill 0+24 32 0x41;free 0;malloc 24", null, new(3, 6, "free(): invalid next size (normal)")),
        ("underflow", "malloc 24;malloc 24;fill 1-8 8 0x41;free 1;malloc 24",
            new(3, 6, "double free or corruption (out)"), new(3, 6, "double free or corruption (out)")),

        // Without a tcache the program's 0x41 bytes are followed as an unsorted bk pointer: SIGSEGV one malloc earlier.
        ("write-after-free", "malloc 24;malloc 24;malloc 24;free 1;free 0;fill 0 16 0x41;malloc 24;malloc 24",
            new(7, 6, "malloc(): unaligned tcache chunk detected"), new(6, 11, null)),
        ("malloc-size-max", "malloc 18446744073709551615", null, null),
        ("malloc-above-ptrdiff-max", "malloc 9223372036854775808", null, null),
        ("malloc-ptrdiff-max", "malloc 9223372036854775807", null, null),
        ("calloc-overflow", "calloc 9223372036854775809 2", null, null),
        ("realloc-huge", "malloc 100;realloc 0 9223372036854775808;usable 0", null, null),
        ("memalign-non-power-of-two", "memalign 48 100", null, null),
        ("memalign-zero-alignment", "memalign 0 100", null, null),
        ("malloc-zero", "malloc 0;malloc 0;usable 0", null, null),
        ("calloc-zero", "calloc 0 16;usable 0", null, null),
        ("memalign-zero", "memalign 64 0;usable 0", null, null),
        ("realloc-zero", "malloc 100;realloc 0 0", null, null),
    ];

    /// <summary>The little-endian word of the matrix's block pattern (seed 1) at <paramref name="offset"/>, as a signed number.</summary>
    private static long PatternWord(ulong offset)
    {
        ulong word = 0;
        for (ulong i = 0; i < 8; i++)
        {
            word |= (ulong)BlockPattern.At(1, offset + i) << (int)(8 * i);
        }

        return (long)word;
    }

    public static TheoryData<string> Names
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var c in s_cases)
            {
                data.Add(c.Name);
            }

            return data;
        }
    }

    /// <summary>Gets the script text and where glibc stops it, with default tunables and with no tcache/fastbins (null: it completes).</summary>
    public static (string Script, ExpectedStop? Stop, ExpectedStop? NoCacheStop) Get(string name)
    {
        var c = s_cases.Single(x => x.Name == name);
        return (OracleRunner.Lines(c.Script), c.Stop, c.NoCacheStop);
    }
}
