// Copyright (c) Allocators contributors. MIT License.

using Allocators.Os;
using Allocators.Strategies.Slab;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Allocators.Strategies.Tests.Slab;

/// <summary>
/// Model-based properties: random operation sequences (malloc family, typed caches with constructors, thread switches,
/// reaps, OS refusals) on random configurations, checked after every step against a model of the live blocks and by
/// the full invariant checker (S1 to S9), which runs inside every call (<see cref="HeapCheckLevel.Full"/>).
/// Sequence length scales with ALLOCATORS_PROPERTY_SCALE.
/// </summary>
[Trait("Category", "Property")]
public sealed class SlabProperties
{
    private const ulong Marker = 0x5A5A_5A5A_5A5A_5A5AUL;

    private static readonly int s_scale = int.TryParse(Environment.GetEnvironmentVariable("ALLOCATORS_PROPERTY_SCALE"), out int s) && s > 0 ? s : 1;

    private static readonly ulong[] s_boundaries = [0, 1, 15, 16, 17, 32, 33, 48, 49, 64, 65, 96, 97, 128, 129, 192, 193, 256, 257, 512, 513, 1024, 1025, 2048, 2049, 4096, 4097, 8192, 8193];

    public enum OpKind
    {
        Allocate,
        Free,
        Reallocate,
        AllocateZeroed,
        AllocateAligned,
        CacheAllocate,
        CacheFree,
        SwitchThread,
        Reap,
        FailNextMmap,
    }

    [Property(MaxTest = 40)]
    public Property S1toS9_HoldAfterEveryOperation()
        => Prop.ForAll(Scenarios(), scenario =>
        {
            using var run = new Run(scenario.Config);
            foreach (Op op in scenario.Ops)
            {
                run.Apply(op);
                run.CheckTouched();
                if (!scenario.Config.CheckEveryCall)
                {
                    HeapCheckResult afterOp = run.Allocator.CheckHeap(HeapCheckLevel.Full);
                    Assert.True(afterOp.Succeeded, $"after {op}: {afterOp}");
                }
            }

            run.CheckAllContents();
            HeapCheckResult result = run.Allocator.CheckHeap(HeapCheckLevel.Full);
            Assert.True(result.Succeeded, result.ToString());
            Assert.Equal(run.Live.Count, run.Allocator.GetStatistics().LiveBlocks);
        });

    [Property(MaxTest = 30)]
    public Property FreeingEverythingAndReaping_ReturnsAllSlabMemory()
        => Prop.ForAll(Scenarios(), scenario =>
        {
            using var run = new Run(scenario.Config);
            foreach (Op op in scenario.Ops)
            {
                run.Apply(op);
            }

            run.FreeEverything();
            run.Allocator.Reap();
            AllocatorStatistics stats = run.Allocator.GetStatistics();
            Assert.Equal(0, stats.LiveBlocks);
            Assert.Equal(0UL, stats.AllocatedBytes);
            Assert.Equal(0UL, stats.HeldBytes);
            Assert.Equal(run.BaselineVsz, stats.Os.VszBytes);
            Assert.Equal(0, run.Allocator.Pages.Count);
            Assert.All(run.Allocator.GetSlabInfo(), i => Assert.Equal(0, i.TotalSlabs));
        });

    [Property(MaxTest = 30)]
    public Property S5_ConstructorsRunOncePerSlotAndDestructorsOnceWhenSlabsGo()
        => Prop.ForAll(Scenarios(), scenario =>
        {
            using var run = new Run(scenario.Config);
            foreach (Op op in scenario.Ops)
            {
                run.Apply(op);
            }

            // Every slot of every live typed slab is constructed exactly once; no slot of a destroyed slab stays constructed.
            var info = run.Allocator.GetSlabInfo().Single(i => i.Name == "typed");
            Assert.Equal(info.TotalObjects, run.Constructed.Count(pair => pair.Value == 1));
            Assert.All(run.Constructed.Values, n => Assert.InRange(n, 0, 1));
            run.FreeEverything();
            run.Allocator.Reap();
            Assert.All(run.Constructed.Values, n => Assert.Equal(0, n));
        });

    private static Arbitrary<Scenario> Scenarios()
    {
        Gen<Config> config =
            from magazine in Gen.Elements(0, 1, 3, 16)
            from depot in Gen.Elements(0, 2)
            from empty in Gen.Elements(0, 1, 2)
            from colouring in Gen.Elements(true, false)
            from maxPages in Gen.Elements(1, 2, 8)
            from checkEveryCall in Gen.Elements(true, false)
            select new Config(magazine, depot, empty, colouring, maxPages, checkEveryCall);

        Gen<ulong> size = Gen.Frequency(
            (6, Gen.Elements(s_boundaries)),
            (3, Gen.Choose(0, 1100).Select(x => (ulong)x)),
            (1, Gen.Choose(8193, 40000).Select(x => (ulong)x)));

        Gen<Op> op = Gen.Frequency(
            (30, size.Select(x => new Op(OpKind.Allocate, x, 0))),
            (25, Gen.Choose(0, 1000).Select(i => new Op(OpKind.Free, (ulong)i, 0))),
            (8, Gen.Choose(0, 1000).SelectMany(i => size.Select(x => new Op(OpKind.Reallocate, (ulong)i, x)))),
            (4, Gen.Choose(0, 40).SelectMany(n => Gen.Choose(1, 64).Select(x => new Op(OpKind.AllocateZeroed, (ulong)n, (ulong)x)))),
            (4, Gen.Elements(32UL, 64UL, 128UL, 8192UL).SelectMany(a => size.Select(x => new Op(OpKind.AllocateAligned, a, x)))),
            (12, Gen.Constant(new Op(OpKind.CacheAllocate, 0, 0))),
            (10, Gen.Choose(0, 1000).Select(i => new Op(OpKind.CacheFree, (ulong)i, 0))),
            (3, Gen.Choose(0, 2).Select(t => new Op(OpKind.SwitchThread, (ulong)t, 0))),
            (1, Gen.Constant(new Op(OpKind.Reap, 0, 0))),
            (1, Gen.Constant(new Op(OpKind.FailNextMmap, 0, 0))));

        Gen<Scenario> scenario =
            from c in config
            from n in Gen.Choose(10, 150 * s_scale)
            from ops in Gen.ArrayOf(op, n)
            select new Scenario(c, ops);

        return Arb.From(scenario, Shrink);
    }

    private static IEnumerable<Scenario> Shrink(Scenario s)
    {
        // Drop halves, then quarters, then single operations: enough to reach a short counterexample.
        for (int chunk = s.Ops.Length / 2; chunk >= 1; chunk /= 2)
        {
            for (int start = 0; start + chunk <= s.Ops.Length; start += chunk)
            {
                yield return s with { Ops = [.. s.Ops[..start], .. s.Ops[(start + chunk)..]] };
            }
        }
    }

    /// <summary>
    /// <paramref name="CheckEveryCall"/>: CheckLevel Full (the allocator checks itself after every call, which also keeps
    /// its fast paths off) or None (the fast paths run; the test calls the checker after every operation instead).
    /// </summary>
    public sealed record Config(int MagazineSize, int DepotMagazines, int EmptySlabs, bool Colouring, int MaxPagesPerSlab, bool CheckEveryCall);

    public sealed record Scenario(Config Config, Op[] Ops)
    {
        public override string ToString() => $"{Config} [{string.Join(", ", Ops.Select(o => o.ToString()))}]";
    }

    public readonly record struct Op(OpKind Kind, ulong A, ulong B)
    {
        public override string ToString() => $"{Kind}({A},{B})";
    }

    private sealed record Block(ulong Address, ulong Size, byte Fill, bool Typed);

    private sealed class Run : IDisposable
    {
        private readonly SimulatedOs _os;
        private readonly SlabCache _typed;
        private Block? _touched;
        private byte _nextFill = 1;

        public Run(Config config)
        {
            _os = new SimulatedOs();
            Allocator = new SlabAllocator(_os, new SlabAllocatorOptions
            {
                MagazineSize = config.MagazineSize,
                DepotMagazines = config.DepotMagazines,
                EmptySlabsPerCache = config.EmptySlabs,
                Colouring = config.Colouring,
                MaxPagesPerSlab = config.MaxPagesPerSlab,
                CheckLevel = config.CheckEveryCall ? HeapCheckLevel.Full : HeapCheckLevel.None,
            });
            BaselineVsz = _os.GetStatistics().VszBytes;
            _typed = Allocator.CreateCache(
                "typed",
                72,
                8,
                (address, os) =>
                {
                    Assert.Equal(0, Constructed.GetValueOrDefault(address));
                    Constructed[address] = 1;
                    os.WriteUInt64(address, Marker);
                },
                (address, os) =>
                {
                    Assert.Equal(1, Constructed.GetValueOrDefault(address));
                    Assert.Equal(Marker, os.ReadUInt64(address));
                    Constructed[address] = 0;
                });
        }

        public SlabAllocator Allocator { get; }

        public ulong BaselineVsz { get; }

        public List<Block> Live { get; } = [];

        public Dictionary<ulong, int> Constructed { get; } = [];

        public void Apply(Op op)
        {
            _touched = null;
            switch (op.Kind)
            {
                case OpKind.Allocate:
                    Add(Allocator.Allocate(op.A), op.A, typed: false);
                    break;
                case OpKind.AllocateZeroed:
                    ulong z = Allocator.AllocateZeroed(op.A, op.B);
                    if (z != 0 && op.A * op.B > 0)
                    {
                        var zeros = new byte[op.A * op.B];
                        _os.Read(z, zeros);
                        Assert.All(zeros, b => Assert.Equal(0, b));
                    }

                    Add(z, op.A * op.B, typed: false);
                    break;
                case OpKind.AllocateAligned:
                    ulong aligned = Allocator.AllocateAligned(op.A, op.B);
                    Assert.Equal(0UL, aligned % op.A);
                    Add(aligned, op.B, typed: false);
                    break;
                case OpKind.Free:
                    if (Pick(op.A, typed: false) is { } f)
                    {
                        Check(f);
                        Allocator.Free(f.Address);
                        Live.Remove(f);
                    }

                    break;
                case OpKind.Reallocate:
                    if (Pick(op.A, typed: false) is { } r)
                    {
                        Check(r);
                        ulong moved = Allocator.Reallocate(r.Address, op.B);
                        if (op.B == 0)
                        {
                            Assert.Equal(0UL, moved);
                            Live.Remove(r);
                        }
                        else if (moved != 0)
                        {
                            Live.Remove(r);
                            ulong kept = Math.Min(r.Size, op.B);
                            var block = new Block(moved, kept, r.Fill, false);
                            Check(block);
                            Add(moved, op.B, typed: false);
                        }
                    }

                    break;
                case OpKind.CacheAllocate:
                    ulong t = _typed.Allocate();
                    if (t != 0)
                    {
                        Assert.Equal(1, Constructed.GetValueOrDefault(t));
                        Assert.Equal(Marker, _os.ReadUInt64(t));   // constructed state survived earlier use
                    }

                    Add(t, 72, typed: true);
                    break;
                case OpKind.CacheFree:
                    if (Pick(op.A, typed: true) is { } c)
                    {
                        Check(c);
                        _typed.Free(c.Address);
                        Live.Remove(c);
                    }

                    break;
                case OpKind.SwitchThread:
                    SimulatedThread.Set((int)op.A);
                    break;
                case OpKind.Reap:
                    Allocator.Reap();
                    break;
                case OpKind.FailNextMmap:
                    _os.Faults.FailNextMmap();
                    break;
            }
        }

        public void CheckTouched()
        {
            if (_touched is not null)
            {
                Check(_touched);
            }
        }

        public void CheckAllContents()
        {
            foreach (Block b in Live)
            {
                Check(b);
            }

            // No two live blocks overlap, usable sizes included.
            var sorted = Live.OrderBy(b => b.Address).ToList();
            for (int i = 1; i < sorted.Count; i++)
            {
                ulong end = sorted[i - 1].Address + Allocator.UsableSize(sorted[i - 1].Address);
                Assert.True(end <= sorted[i].Address, $"blocks 0x{sorted[i - 1].Address:x} and 0x{sorted[i].Address:x} overlap");
            }
        }

        public void FreeEverything()
        {
            foreach (Block b in Live)
            {
                if (b.Typed)
                {
                    _typed.Free(b.Address);
                }
                else
                {
                    Allocator.Free(b.Address);
                }
            }

            Live.Clear();
        }

        public void Dispose()
        {
            SimulatedThread.Set(0);
            _os.Dispose();
        }

        private Block? Pick(ulong index, bool typed)
        {
            int count = Live.Count(b => b.Typed == typed);
            return count == 0 ? null : Live.Where(b => b.Typed == typed).ElementAt((int)(index % (ulong)count));
        }

        private void Add(ulong address, ulong size, bool typed)
        {
            if (address == 0)
            {
                return;
            }

            Assert.Equal(0UL, address % (typed ? 8UL : 16UL));
            Assert.True(Allocator.UsableSize(address) >= size);
            byte fill = _nextFill++;
            if (_nextFill == 0)
            {
                _nextFill = 1;
            }

            // Typed objects keep the constructor's marker in their first word; the program writes the rest.
            ulong start = typed ? 8UL : 0UL;
            if (size > start)
            {
                _os.Fill(address + start, size - start, fill);
            }

            var block = new Block(address, size, fill, typed);
            Live.Add(block);
            _touched = block;
        }

        private void Check(Block b)
        {
            ulong start = b.Typed ? 8UL : 0UL;
            if (b.Size <= start)
            {
                return;
            }

            var bytes = new byte[b.Size - start];
            _os.Read(b.Address + start, bytes);
            Assert.True(bytes.All(x => x == b.Fill), $"contents of 0x{b.Address:x} ({b.Size} bytes) changed");
            if (b.Typed)
            {
                Assert.Equal(Marker, _os.ReadUInt64(b.Address));
            }
        }
    }
}
