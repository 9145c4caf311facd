// Copyright (c) Allocators contributors. MIT License.

using Allocators.Workloads.Oracle;
using FsCheck;
using FsCheck.Fluent;

namespace Allocators.Workloads.Tests.Oracle;

/// <summary>
/// Random operation sequences for the differential tests. A sequence is generated as a plan of abstract steps
/// whose pointer operands pick "the k-th live block" (modulo the live count); <see cref="Materialize"/> turns a
/// plan into a valid script, so any sub-list of a plan is still a valid plan — which makes shrinking by removal safe.
/// </summary>
internal static class OracleScriptGenerators
{
    public enum StepKind
    {
        Malloc,
        Calloc,
        Realloc,
        Free,
        Memalign,
        PosixMemalign,
        Valloc,
        Pvalloc,
        Usable,
        Trim,
        Mallopt,
        Mallinfo,
        FreeAll,
        Sbrk,
        Block,
        Corrupt,
    }

    /// <summary>Which operations and sizes a plan may contain.</summary>
    public sealed record Settings
    {
        public int MinLength { get; init; } = 1;

        public int MaxLength { get; init; } = 60;

        public bool Mallopt { get; init; } = true;

        public bool Trim { get; init; } = true;

        public bool Memalign { get; init; } = true;

        public bool Realloc { get; init; } = true;

        public bool Large { get; init; } = true;

        public bool Sbrk { get; init; }

        /// <summary>Gets a value indicating whether a PROT_NONE page may be mapped above the break (brk failures, the mmap fallback).</summary>
        public bool Block { get; init; }

        /// <summary>Gets a value indicating whether header words and links of live or freed blocks may be corrupted (xor).</summary>
        public bool Corrupt { get; init; }
    }

    public sealed record PlanStep(StepKind Kind, ulong Size, ulong Extra, int Pick)
    {
        public override string ToString() => $"{Kind}({Size},{Extra},{Pick})";
    }

    public static Gen<ulong> Sizes(bool large)
    {
        var pageEdges = from k in Gen.Choose(1, 40)
                        from d in Gen.Choose(-40, 24)
                        select (ulong)Math.Max(0, (k * 4096) + d);
        var mmapEdges = from d in Gen.Choose(-48, 48)
                        select (ulong)(131072 + d);
        var gens = new List<(int, Gen<ulong>)>
        {
            (30, Gen.Choose(0, 1032).Select(x => (ulong)x)),                   // tcache
            (20, Gen.Choose(0, 120).Select(x => (ulong)x)),                    // fastbin chunks (<= 0x80)
            (10, Gen.Choose(0x3a0, 0x420).Select(x => (ulong)x)),              // smallbin / largebin boundary
            (10, Gen.Choose(1033, 0x3000).Select(x => (ulong)x)),              // large bins
            (5, pageEdges),
        };
        if (large)
        {
            gens.Add((4, mmapEdges));
            gens.Add((3, Gen.Choose(0x3000, 300000).Select(x => (ulong)x)));
            gens.Add((1, Gen.Choose(300000, 1_200_000).Select(x => (ulong)x)));
        }

        return Gen.Frequency(gens.ToArray());
    }

    public static Gen<PlanStep[]> Plans(Settings settings)
    {
        var size = Sizes(settings.Large);
        var pick = Gen.Choose(0, 1 << 20);
        var kinds = new List<(int, Gen<StepKind>)>
        {
            (40, Gen.Constant(StepKind.Malloc)),
            (5, Gen.Constant(StepKind.Calloc)),
            (32, Gen.Constant(StepKind.Free)),
            (3, Gen.Constant(StepKind.Usable)),
            (1, Gen.Constant(StepKind.Mallinfo)),
            (1, Gen.Constant(StepKind.FreeAll)),
        };
        if (settings.Realloc)
        {
            kinds.Add((10, Gen.Constant(StepKind.Realloc)));
        }

        if (settings.Memalign)
        {
            kinds.Add((3, Gen.Constant(StepKind.Memalign)));
            kinds.Add((1, Gen.Constant(StepKind.PosixMemalign)));
            kinds.Add((1, Gen.Constant(StepKind.Valloc)));
            kinds.Add((1, Gen.Constant(StepKind.Pvalloc)));
        }

        if (settings.Trim)
        {
            kinds.Add((2, Gen.Constant(StepKind.Trim)));
        }

        if (settings.Mallopt)
        {
            kinds.Add((1, Gen.Constant(StepKind.Mallopt)));
        }

        if (settings.Sbrk)
        {
            kinds.Add((1, Gen.Constant(StepKind.Sbrk)));
        }

        if (settings.Block)
        {
            kinds.Add((1, Gen.Constant(StepKind.Block)));
        }

        if (settings.Corrupt)
        {
            kinds.Add((2, Gen.Constant(StepKind.Corrupt)));
        }

        var step = from kind in Gen.Frequency(kinds.ToArray())
                   from s in size
                   from extra in Gen.Choose(0, 1 << 20)
                   from p in pick
                   select new PlanStep(kind, s, (ulong)extra, p);
        return from length in Gen.Choose(settings.MinLength, settings.MaxLength)
               from steps in Gen.ArrayOf(step, length)
               select steps;
    }

    public static Gen<OracleScript> Scripts(Settings settings) => Plans(settings).Select(Materialize);

    /// <summary>Candidates smaller than <paramref name="plan"/>: chunks removed (halves down to single steps), then sizes simplified.</summary>
    public static IEnumerable<PlanStep[]> Shrink(PlanStep[] plan)
    {
        for (var chunk = plan.Length / 2; chunk >= 1; chunk /= 2)
        {
            for (var start = 0; start + chunk <= plan.Length; start += chunk)
            {
                yield return [.. plan.Take(start), .. plan.Skip(start + chunk)];
            }
        }

        for (var i = 0; i < plan.Length; i++)
        {
            if (plan[i].Pick != 0)
            {
                var copy = plan.ToArray();
                copy[i] = plan[i] with { Pick = 0 };
                yield return copy;
            }
        }
    }

    public static OracleScript Materialize(PlanStep[] plan)
    {
        var ops = new List<OracleOperation>(plan.Length);
        var live = new List<int>();
        var heapSlots = new List<int>(); // every non-mmapped-looking slot ever defined, live or freed (corruption targets)
        var slots = 0;
        long[] corruptOffsets = [-8, -8, -8, -16, 0, 8, 16, 24];
        long[] corruptBits = [1, 2, 4, 8, 0x10, 0x20, 0x100, 0x1000, 0x10000];

        // fd/bk of a binned chunk may point at a bin head inside libc's malloc_state, which the simulation models
        // as libc's .data (finding F3): small flips stay inside the arena and are comparable; large ones would read
        // other parts of libc's .data, which no simulation has.
        long[] linkBits = [1, 8, 0x10, 0x20, 0x40, 0x100];
        // Alignments above a page are left out: B0 is only page-aligned and mapping addresses are the kernel's,
        // so such placements differ from run to run (GlibcOracleSpecTests pins one on the heap with B0 given).
        ulong[] alignments = [16, 32, 64, 128, 256, 1024, 4096, 48, 100];
        ulong[] posixAlignments = [8, 16, 32, 64, 4096, 24, 0];
        ulong[] pads = [0, 64, 4096, 65536, 131072];
        (int Param, int[] Values)[] mallopts =
        [
            (1, [0, 16, 24, 64, 80, 128, 160, 200]),
            (-1, [0, 32, 4096, 65536, 131072, 1 << 20, -1]),
            (-2, [0, 4096, 65536, 131072, 1 << 20]),
            (-3, [0, 4096, 65536, 131072, 262144, 1 << 20]),
            (-4, [0, 1, 65536]),
        ];

        int Take(int pick)
        {
            var index = pick % live.Count;
            var slot = live[index];
            live.RemoveAt(index);
            return slot;
        }

        void Define(OracleOperation op)
        {
            ops.Add(op);
            if (op.Size < 100_000)
            {
                heapSlots.Add(slots);
            }

            live.Add(slots++);
        }

        foreach (var s in plan)
        {
            switch (s.Kind)
            {
                case StepKind.Malloc:
                    Define(OracleOperation.Malloc(s.Size));
                    break;
                case StepKind.Calloc:
                    var count = 1 + (s.Extra % 4);
                    Define(OracleOperation.Calloc(count, s.Size / count));
                    break;
                case StepKind.Realloc:
                    var old = live.Count == 0 || s.Extra % 16 == 0 ? -1 : Take(s.Pick);
                    Define(OracleOperation.Realloc(old, s.Extra % 32 == 1 ? 0 : s.Size));
                    break;
                case StepKind.Free:
                    if (live.Count > 0)
                    {
                        ops.Add(OracleOperation.Free(Take(s.Pick)));
                    }

                    break;
                case StepKind.FreeAll:
                    while (live.Count > 0)
                    {
                        ops.Add(OracleOperation.Free(Take(s.Pick)));
                    }

                    break;
                case StepKind.Memalign:
                    var alignment = alignments[(int)(s.Extra % (ulong)alignments.Length)];
                    Define(s.Extra % 3 == 0 ? OracleOperation.AlignedAlloc(alignment, s.Size) : OracleOperation.Memalign(alignment, s.Size));
                    break;
                case StepKind.PosixMemalign:
                    Define(OracleOperation.PosixMemalign(posixAlignments[(int)(s.Extra % (ulong)posixAlignments.Length)], s.Size));
                    break;
                case StepKind.Valloc:
                    Define(OracleOperation.Valloc(s.Size));
                    break;
                case StepKind.Pvalloc:
                    Define(OracleOperation.Pvalloc(s.Size % 20000));
                    break;
                case StepKind.Usable:
                    if (live.Count > 0)
                    {
                        ops.Add(OracleOperation.UsableSize(live[s.Pick % live.Count]));
                    }

                    break;
                case StepKind.Trim:
                    ops.Add(OracleOperation.Trim(pads[(int)(s.Extra % (ulong)pads.Length)]));
                    break;
                case StepKind.Mallopt:
                    var (param, values) = mallopts[(int)(s.Extra % (ulong)mallopts.Length)];
                    ops.Add(OracleOperation.Mallopt(param, values[s.Pick % values.Length]));
                    break;
                case StepKind.Mallinfo:
                    ops.Add((s.Extra % 4) switch
                    {
                        0 => OracleOperation.MallocStats(),
                        1 => OracleOperation.MallocInfo(),
                        _ => OracleOperation.Mallinfo2(),
                    });
                    break;
                case StepKind.Block:
                    ops.Add(OracleOperation.Block(0x1000 + (s.Extra % 0x60 * 0x1000), 4096));
                    break;
                case StepKind.Corrupt:
                    if (heapSlots.Count > 0)
                    {
                        var target = heapSlots[s.Pick % heapSlots.Count];
                        var offset = corruptOffsets[(int)(s.Extra % (ulong)corruptOffsets.Length)];
                        var bits = offset is 0 or 8
                            ? linkBits[(int)(s.Size % (ulong)linkBits.Length)]
                            : corruptBits[(int)(s.Size % (ulong)corruptBits.Length)];
                        ops.Add(OracleOperation.Xor(target, offset, 8, bits));
                    }

                    break;
                case StepKind.Sbrk:
                    ops.Add(OracleOperation.Sbrk((long)(s.Extra % 3 == 0 ? s.Extra % 64 : s.Extra % 9000)));
                    break;
                default:
                    throw new InvalidOperationException($"Unknown plan step {s.Kind}.");
            }
        }

        ops.Add(OracleOperation.Mallinfo2());
        return new OracleScript(ops);
    }
}
