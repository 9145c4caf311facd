// Copyright (c) Allocators contributors. MIT License.

using Allocators.Testing;

namespace Allocators.Strategies.Tests.BadInput;

/// <summary>The bad-input cases every strategy runs (the rows of docs/bad-input.md).</summary>
internal static class BadInputCases
{
    /// <summary>An address below every mapping the simulated process makes (brk heap, mmap area, stack).</summary>
    public const ulong ForeignAddress = 0x1000_0000_0000;

    /// <summary>PTRDIFF_MAX on LP64.</summary>
    public const ulong PtrdiffMax = long.MaxValue;

    public static IReadOnlyList<BadInputCase> All { get; } =
    [
        new("double-free", "p = malloc(24); free(p); free(p)", p =>
        {
            ulong a = p.Setup(24);
            p.Begin("free(p)");
            p.Allocator.Free(a);
            p.Begin("free(p) again");
            p.Allocator.Free(a);
        }),
        new("double-free-later", "p = malloc(24); q = malloc(100); free(p); r = malloc(200); free(q); free(p)", p =>
        {
            ulong a = p.Setup(24);
            ulong b = p.Setup(100, 2);
            p.Begin("free(p)");
            p.Allocator.Free(a);
            ulong r = p.Setup(200, 3);
            p.Begin("free(q)");
            p.Allocator.Free(b);
            p.Begin("free(p) again");
            p.Allocator.Free(a);
            p.Note = r == a ? "ok: r reused p's address, so the second free(p) frees r (legal)" : "undetected";
        }),
        new("double-free-large", "p = malloc(200000); q = malloc(24); free(p); free(p)", p =>
        {
            ulong a = p.Setup(200_000);
            p.Setup(24, 2);
            p.Begin("free(p)");
            p.Allocator.Free(a);
            p.Begin("free(p) again");
            p.Allocator.Free(a);
        }),
        new("free-interior", "p = malloc(100); free(p + 16)", p =>
        {
            ulong a = p.Setup(100);
            p.Begin("free(p+16)");
            p.Allocator.Free(a + 16);
        }),
        new("free-foreign", "free(0x100000000000) (outside every mapping)", p =>
        {
            p.Setup(100);
            Assert.False(p.Os.IsAccessible(ForeignAddress, 1, Protection.Read));
            p.Involve(ForeignAddress, 16);
            p.Begin("free(foreign)");
            p.Allocator.Free(ForeignAddress);
        }),
        new("free-never-allocated", "free(x), x inside the heap's memory but never returned by malloc", p =>
        {
            ulong a = p.Setup(100);
            ulong x = NeverAllocatedAddress(p, a);
            p.Involve(x, 16);
            p.Begin("free(x)");
            p.Allocator.Free(x);
        }),
        new("overflow-1", "p = malloc(24); q = malloc(24); p[usable(p)] = 0x41; free(p); malloc(24)", p => Overflow(p, 1)),
        new("overflow-32", "p = malloc(24); q = malloc(24); memset(p + usable(p), 0x41, 32); free(p); malloc(24)", p => Overflow(p, 32)),
        new("underflow", "p = malloc(24); q = malloc(24); memset(q - 8, 0x41, 8); free(q); malloc(24)", p =>
        {
            p.Setup(24);
            ulong b = p.Setup(24, 2);
            p.Corrupt(b - 8, 8, 0x41);
            p.Begin("free(q)");
            p.Allocator.Free(b);
            p.Begin("malloc(24)");
            p.Involve(p.Allocator.Allocate(24), 24);
            p.Note = "undetected";
        }),
        new("write-after-free", "p = malloc(24); q = malloc(24); r = malloc(24); free(q); free(p); memset(p, 0x41, 16); malloc(24); malloc(24)", p =>
        {
            ulong a = p.Setup(24);
            ulong b = p.Setup(24, 2);
            p.Setup(24, 3);
            p.Begin("free(q)");
            p.Allocator.Free(b);
            p.Begin("free(p)");
            p.Allocator.Free(a);
            p.Corrupt(a, 16, 0x41);
            p.Begin("malloc(24)");
            p.Involve(p.Allocator.Allocate(24), 24);
            p.Begin("second malloc(24)");
            p.Involve(p.Allocator.Allocate(24), 24);
            p.Note = "undetected";
        }),
        new("malloc-size-max", "malloc(SIZE_MAX)", p => NullOrNot(p, "malloc(SIZE_MAX)", () => p.Allocator.Allocate(ulong.MaxValue))),
        new("malloc-above-ptrdiff-max", "malloc(PTRDIFF_MAX + 1)", p => NullOrNot(p, "malloc(PTRDIFF_MAX+1)", () => p.Allocator.Allocate(PtrdiffMax + 1))),
        new("malloc-ptrdiff-max", "malloc(PTRDIFF_MAX)", p => NullOrNot(p, "malloc(PTRDIFF_MAX)", () => p.Allocator.Allocate(PtrdiffMax))),
        new("calloc-overflow", "calloc(2^63 + 1, 2) (the product wraps to 2)", p => NullOrNot(p, "calloc", () => p.Allocator.AllocateZeroed((1UL << 63) + 1, 2))),
        new("realloc-huge", "p = malloc(100); realloc(p, PTRDIFF_MAX + 1); p still holds its bytes", p =>
        {
            ulong a = p.Setup(100, 7);
            NullOrNot(p, "realloc(p, PTRDIFF_MAX+1)", () => p.Allocator.Reallocate(a, PtrdiffMax + 1));
            Assert.Equal(-1L, BlockPattern.FindMismatch(p.Os, a, 100, 7, 100));
            Assert.True(p.Allocator.UsableSize(a) >= 100);
            p.Allocator.Free(a);
        }),
        new("memalign-non-power-of-two", "memalign(48, 100)", p => Aligned(p, 48, 100)),
        new("memalign-zero-alignment", "memalign(0, 100)", p => Aligned(p, 0, 100)),
        new("malloc-zero", "malloc(0)", p => Zero(p, "malloc(0)", () => p.Allocator.Allocate(0))),
        new("calloc-zero", "calloc(0, 16)", p => Zero(p, "calloc(0, 16)", () => p.Allocator.AllocateZeroed(0, 16))),
        new("memalign-zero", "memalign(64, 0)", p => Zero(p, "memalign(64, 0)", () => p.Allocator.AllocateAligned(64, 0))),
        new("realloc-zero", "p = malloc(100); realloc(p, 0)", p =>
        {
            ulong a = p.Setup(100);
            long frees = p.Allocator.GetStatistics().Frees;
            p.Begin("realloc(p, 0)");
            ulong r = p.Allocator.Reallocate(a, 0);
            bool freed = p.Allocator.GetStatistics().Frees == frees + 1;
            p.Note = r == 0 ? $"null, p {(freed ? "freed" : "NOT freed")}" : $"returned a block (usable {p.Allocator.UsableSize(r)})";
        }),
    ];

    public static BadInputCase Get(string name) => All.Single(c => c.Name == name);

    private static void Overflow(BadInputProbe p, int bytes)
    {
        ulong a = p.Setup(24);
        ulong b = p.Setup(24, 2);
        p.Corrupt(a + p.Allocator.UsableSize(a), bytes, 0x41);
        p.Begin("free(p)");
        p.Allocator.Free(a);
        p.Begin("malloc(24)");
        p.Involve(p.Allocator.Allocate(24), 24);
        bool hitQ = BlockPattern.FindMismatch(p.Os, b, 24, 2, 24) >= 0;
        p.Note = hitQ ? "undetected (q's bytes overwritten)" : "undetected (q's bytes intact)";
    }

    private static void NullOrNot(BadInputProbe p, string step, Func<ulong> call)
    {
        long failed = p.Allocator.GetStatistics().FailedAllocations;
        p.Begin(step);
        ulong r = call();
        p.ExpectNull(r, failed);
        if (r != 0)
        {
            p.Allocator.Free(r);
        }
    }

    private static void Aligned(BadInputProbe p, ulong alignment, ulong size)
    {
        long failed = p.Allocator.GetStatistics().FailedAllocations;
        p.Begin($"memalign({alignment}, {size})");
        ulong r = p.Allocator.AllocateAligned(alignment, size);
        if (r == 0)
        {
            p.ExpectNull(r, failed);
            return;
        }

        // Report the alignment the strategy promised (the next power of two), not the accidental one of the address.
        ulong promised = alignment <= 16 ? 16 : System.Numerics.BitOperations.RoundUpToPowerOf2(alignment);
        Assert.Equal(0UL, r % promised);
        Assert.True(p.Allocator.UsableSize(r) >= size);
        p.Note = $"block aligned to {promised}";
        p.Allocator.Free(r);
    }

    private static void Zero(BadInputProbe p, string step, Func<ulong> call)
    {
        p.Begin(step);
        ulong r = call();
        if (r == 0)
        {
            p.Note = $"null ({p.Allocator.GetStatistics().LastFailure})";
            return;
        }

        ulong r2 = call();
        Assert.NotEqual(r, r2);
        p.Note = $"unique block, usable {p.Allocator.UsableSize(r)}";
        p.Allocator.Free(r);
        p.Allocator.Free(r2);
    }

    private static ulong NeverAllocatedAddress(BadInputProbe p, ulong live)
    {
        // Prefer memory the allocator owns but never handed out (a free chunk, the top chunk, an empty slab slot).
        if (p.Allocator is IHeapWalker walker)
        {
            foreach (HeapBlock block in walker.WalkHeap())
            {
                if (block.Kind is HeapBlockKind.Free or HeapBlockKind.Top && block.Size >= 256)
                {
                    return (block.Address + 128) & ~15UL;
                }
            }
        }

        // No free memory tracked (one mapping per block): the middle of the page after the live block's usable area.
        return (live + p.Allocator.UsableSize(live) + 2048) & ~15UL;
    }
}
