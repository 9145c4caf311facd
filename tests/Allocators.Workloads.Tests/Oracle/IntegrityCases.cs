// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads.Tests.Oracle;

/// <summary>
/// Scripts that corrupt the heap the way a buggy program would, each with the glibc 2.36 abort message it
/// triggers and the operation that aborts. Used on the real glibc and, differentially, on the simulation.
/// </summary>
internal static class IntegrityCases
{
    private static readonly string Fill24Tcache = "malloc 24;malloc 24;malloc 24;malloc 24;malloc 24;malloc 24;malloc 24;"
        + "malloc 24;malloc 24;malloc 24;"
        + "free 0;free 1;free 2;free 3;free 4;free 5;free 6;"; // slots 0-6 in the tcache, 7-9 still live; ops 0-16

    private static readonly (string Name, string Script, int Operation, string Message)[] s_cases =
    [
        ("tcache-double-free", "malloc 24;free 0;free 0", 2, "free(): double free detected in tcache 2"),
        ("tcache-double-free-later", "malloc 24;malloc 40;free 0;malloc 100;free 1;free 0", 5, "free(): double free detected in tcache 2"),
        ("fasttop", Fill24Tcache + "free 7;free 7", 18, "double free or corruption (fasttop)"),
        ("unsorted-refree-prev", "malloc 0x500;malloc 16;free 0;free 0", 3, "double free or corruption (!prev)"),
        ("top-refree", "malloc 0x500;free 0;free 0", 2, "double free or corruption (top)"),
        ("size-zeroed", "malloc 24;poke 0-8 8 0;free 0", 2, "free(): invalid pointer"),
        ("misaligned-free", "malloc 24;free 0+8", 1, "free(): invalid pointer"),
        ("size-too-small", "malloc 24;poke 0-8 8 0x11;free 0", 2, "free(): invalid size"),
        ("size-not-multiple-of-16", "malloc 0x500;poke 0-8 8 0x519;free 0", 2, "free(): invalid size"),
        ("fast-next-size", Fill24Tcache + "poke 7+24 8 0;free 7", 18, "free(): invalid next size (fast)"),
        ("normal-next-size", "malloc 0x500;malloc 16;poke 0+0x508 8 1;free 0", 3, "free(): invalid next size (normal)"),
        ("normal-out", "malloc 0x500;poke 0-8 8 0x100001;free 0", 2, "double free or corruption (out)"),
        ("prev-size-while-consolidating", "malloc 0x500;malloc 0x500;malloc 16;free 0;poke 1-16 8 0x400;free 1", 5,
            "corrupted size vs. prev_size while consolidating"),
        ("unlink-prev-size", "malloc 0x500;malloc 0x500;malloc 16;free 1;poke 2-16 8 0x600;free 0", 5, "corrupted size vs. prev_size"),
        ("tcache-get-unaligned", "malloc 24;malloc 24;free 0;free 1;xor 1 1 8;malloc 24;malloc 24", 6, "malloc(): unaligned tcache chunk detected"),
        ("tcache-walk-unaligned", "malloc 24;malloc 24;free 0;free 1;xor 1 1 8;free 0", 5, "free(): unaligned chunk detected in tcache 2"),
        ("munmap-invalid", "malloc 200000;poke 0-16 8 8;free 0", 2, "munmap_chunk(): invalid pointer"),
        ("mremap-invalid", "malloc 200000;poke 0-16 8 8;realloc 0 300000", 2, "mremap_chunk(): invalid pointer"),
        ("realloc-misaligned", "malloc 24;realloc 0+8 100", 1, "realloc(): invalid pointer"),
        ("realloc-old-size", "malloc 24;poke 0-8 8 0x10;realloc 0 100", 2, "realloc(): invalid old size"),
        ("realloc-next-size", "malloc 24;malloc 24;poke 0+24 8 0;realloc 0 100", 3, "realloc(): invalid next size"),
        ("fast-memory-corruption", Fill24Tcache + "free 7;poke 7-8 8 0x41;malloc 24;malloc 24;malloc 24;malloc 24;malloc 24;malloc 24;malloc 24;malloc 24",
            26, "malloc(): memory corruption (fast)"),
        ("consolidate-invalid-size", Fill24Tcache + "free 7;poke 7-8 8 0x41;mallopt 1 128", 19, "malloc_consolidate(): invalid chunk size"),
        ("consolidate-unaligned", Fill24Tcache + "free 7;free 8;xor 8 1 8;mallopt 1 128", 20, "malloc_consolidate(): unaligned fastbin chunk detected"),
        ("consolidate-prev-size", Fill24Tcache + "free 7;poke 7-8 8 0x20;poke 7-16 8 0x30;mallopt 1 128", 20, "corrupted size vs. prev_size in fastbins"),
        ("fastbin-stash-unaligned", Fill24Tcache + "free 7;free 8;xor 8 1 8;malloc 24;malloc 24;malloc 24;malloc 24;malloc 24;malloc 24;malloc 24;malloc 24",
            27, "malloc(): unaligned fastbin chunk detected 3"),
        ("fastbin-head-unaligned", Fill24Tcache + "free 7;free 8;xor 8 1 8;calloc 1 24;calloc 1 24", 21, "malloc(): unaligned fastbin chunk detected 2"),
        ("unsorted-invalid-size", "malloc 0x500;malloc 16;free 0;poke 0-8 8 1;malloc 0x600", 4, "malloc(): invalid size (unsorted)"),
        ("unsorted-next-size", "malloc 0x500;malloc 16;free 0;poke 0+0x508 8 0;malloc 0x600", 4, "malloc(): invalid next size (unsorted)"),
        ("unsorted-next-prev-size", "malloc 0x500;malloc 16;free 0;poke 0+0x500 8 0x400;malloc 0x600", 4, "malloc(): mismatching next->prev_size (unsorted)"),
        ("unsorted-next-prev-inuse", "malloc 0x500;malloc 16;free 0;poke 0+0x508 8 0x21;malloc 0x600", 4, "malloc(): invalid next->prev_inuse (unsorted)"),
        ("corrupted-top-size", "malloc 24;poke 0+24 8 -255;malloc 2000", 2, "malloc(): corrupted top size"),
        ("sysmalloc-assertion", "malloc 24;poke 0+24 8 0x11;malloc 0x1000", 2,
            "Fatal glibc error: malloc assertion failure in sysmalloc: (old_top == initial_top (av) && old_size == 0) || ((unsigned long) (old_size) >= MINSIZE && prev_inuse (old_top) && ((unsigned long) old_end & (pagesize - 1)) == 0)"),
    ];

    public static IEnumerable<string> Names => s_cases.Select(c => c.Name);

    public static TheoryData<string> All
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

    public static (string Script, int Operation, string Message) Get(string name)
    {
        var c = s_cases.Single(x => x.Name == name);
        return (OracleRunner.Lines(c.Script), c.Operation, c.Message);
    }
}
