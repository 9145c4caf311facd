// Copyright (c) Allocators contributors. MIT License.

using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Allocators.Workloads.Tests.Properties;

[Trait("Category", "Property")]
public sealed class TraceRoundTripProperties
{
    private static Gen<ulong> Pointer =>
        Gen.Frequency(
            (1, Gen.Constant(0UL)),
            (3, Gen.Choose(1, int.MaxValue).Select(i => (ulong)i * 16)),
            (1, ArbMap.Default.GeneratorFor<ulong>()));

    private static Gen<ulong> Number =>
        Gen.Frequency(
            (4, Gen.Choose(0, 100_000).Select(i => (ulong)i)),
            (1, ArbMap.Default.GeneratorFor<ulong>()));

    private static Gen<TraceRecord> Record =>
        from kind in Gen.Choose(0, 6)
        from tid in Gen.Frequency((3, Gen.Choose(0, 5)), (1, Gen.Choose(0, int.MaxValue)))
        from a in Number
        from b in Number
        from p in Pointer
        from r in Pointer
        from hasHeader in ArbMap.Default.GeneratorFor<bool>()
        from header in Number
        from hasUsable in ArbMap.Default.GeneratorFor<bool>()
        from usable in Number
        select Build(kind, tid, a, b, p, r, hasHeader, header, hasUsable, usable);

    private static TraceRecord Build(int kind, int tid, ulong a, ulong b, ulong p, ulong r, bool hasHeader, ulong header, bool hasUsable, ulong usable)
    {
        if (kind == 5)
        {
            return TraceRecord.ForHeapStart(p);
        }

        if (kind == 6)
        {
            return TraceRecord.ForBrk(p);
        }

        TraceCall call = kind switch
        {
            0 => TraceCall.Malloc(tid, a, r),
            1 => TraceCall.Calloc(tid, a, b, r),
            2 => TraceCall.Realloc(tid, p, b, r),
            3 => TraceCall.Memalign(tid, a, b, r),
            _ => TraceCall.Free(tid, p),
        };
        call = call with { Header = hasHeader ? header : 0, HasHeader = hasHeader, Usable = hasUsable ? usable : 0, HasUsable = hasUsable };
        return TraceRecord.ForCall(call);
    }

    private static List<TraceRecord> Numbered(IReadOnlyList<TraceRecord> records) =>
        records.Select((r, i) => r.Kind == TraceRecordKind.Call
            ? TraceRecord.ForCall(r.Call with { Line = i + 1 })
            : r with { Line = i + 1 }).ToList();

    private static Arbitrary<TraceRecord[]> Traces => Record.ArrayOf().ToArbitrary();

    [Property(MaxTest = 200)]
    public Property TextWriteThenRead_GivesSameRecords() =>
        Prop.ForAll(Traces, records =>
        {
            var stream = new MemoryStream();
            using (var writer = new TraceWriter(stream, leaveOpen: true))
            {
                foreach (TraceRecord r in records)
                {
                    ((ITraceSink)writer).Write(r);
                }
            }

            if (records.Length == 0)
            {
                return stream.Length == 0;
            }

            stream.Position = 0;
            using var reader = new TraceReader(stream, "prop");
            return Numbered(records).SequenceEqual(reader.ToList());
        });

    [Property(MaxTest = 200)]
    public Property BinaryWriteThenRead_GivesSameRecords() =>
        Prop.ForAll(Traces, records =>
        {
            var stream = new MemoryStream();
            using (var writer = new BinaryTraceWriter(stream, leaveOpen: true))
            {
                foreach (TraceRecord r in records)
                {
                    ((ITraceSink)writer).Write(r);
                }
            }

            stream.Position = 0;
            using var reader = new TraceReader(stream, "prop");
            return Numbered(records).SequenceEqual(reader.ToList());
        });
}
