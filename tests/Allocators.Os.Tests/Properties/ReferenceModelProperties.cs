// Copyright (c) Allocators contributors. MIT License.

using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Allocators.Os.Tests.Properties;

/// <summary>Random sequences of system calls and accesses against <see cref="PageModel"/>.</summary>
[Trait("Category", "Property")]
public sealed class ReferenceModelProperties
{
    private const ulong WindowBase = 0x10000000;
    private const ulong WindowEnd = WindowBase + (OsGenerators.WindowPages * 4096UL);

    [Property(MaxTest = 150)]
    public Property RandomOperations_MatchReferenceModel() => MatchesModel();

    /// <summary>The same property, longer: 200 × ALLOCATORS_PROPERTY_SCALE cases of up to 150 steps. Not a benchmark.</summary>
    [Fact]
    [Trait("Category", "Stress")]
    public void RandomOperations_LongSequences_MatchReferenceModel()
        => Check.One(Config.QuickThrowOnFailure.WithMaxTest(200 * OsGenerators.Scale).WithEndSize(150), MatchesModel());

    private static Property MatchesModel()
        => Prop.ForAll(OsGenerators.Operations, operations =>
        {
            using var os = new SimulatedOs(new SimulatedOsOptions { MmapBase = WindowEnd, MmapMinAddress = WindowBase });
            var model = new PageModel(WindowBase, OsGenerators.WindowPages);
            for (int step = 0; step < operations.Length; step++)
            {
                Apply(os, model, operations[step]);
                CheckInvariants(os, model, step, operations[step]);
            }
        });

    private static void Apply(SimulatedOs os, PageModel model, OsOperation op)
    {
        ulong address = model.Address(op.Page);
        ulong bytes = (ulong)op.Count * 4096;
        int count = Math.Min(op.Count, model.Pages - op.Page);
        switch (op.Kind)
        {
            case OsOperationKind.MmapAnywhere:
            {
                var r = os.Mmap(0, bytes, op.Protection, MapFlags.PrivateAnonymous);
                Assert.True(r.Succeeded, op.ToString());
                int expected = model.TopDown(op.Count);
                if (expected < 0)
                {
                    // No room in the window: Linux falls back to the space above the base.
                    Assert.True(r.Value >= WindowEnd, $"{op}: expected a fallback above the base, got 0x{r.Value:x}");
                    Assert.True(os.Munmap(r.Value, bytes).Succeeded);
                }
                else
                {
                    Assert.Equal(model.Address(expected), r.Value);
                    model.Map(expected, op.Count, op.Protection);
                }

                break;
            }

            case OsOperationKind.MmapFixed:
            case OsOperationKind.MmapFixedNoReplace:
            {
                bool noReplace = op.Kind == OsOperationKind.MmapFixedNoReplace;
                var flags = MapFlags.PrivateAnonymous | (noReplace ? MapFlags.FixedNoReplace : MapFlags.Fixed);
                var r = os.Mmap(address, (ulong)count * 4096, op.Protection, flags);
                if (noReplace && !model.IsFree(op.Page, count))
                {
                    Assert.Equal(Errno.EEXIST, r.Error);
                    break;
                }

                Assert.Equal(address, r.Value);
                model.Map(op.Page, count, op.Protection);
                break;
            }

            case OsOperationKind.Munmap:
                Assert.True(os.Munmap(address, bytes).Succeeded, op.ToString());
                model.Unmap(op.Page, op.Count);
                break;

            case OsOperationKind.Mprotect:
            {
                var r = os.Mprotect(address, (ulong)count * 4096, op.Protection);
                bool allMapped = Enumerable.Range(op.Page, count).All(p => model.Mapped[p]);
                if (!allMapped)
                {
                    Assert.Equal(Errno.ENOMEM, r.Error);
                    break;
                }

                Assert.True(r.Succeeded, op.ToString());
                for (int p = op.Page; p < op.Page + count; p++)
                {
                    model.Prot[p] = op.Protection;
                }

                break;
            }

            case OsOperationKind.MadviseDontNeed:
            {
                var r = os.Madvise(address, (ulong)count * 4096, MadviseAdvice.DontNeed);
                bool allMapped = true;
                for (int p = op.Page; p < op.Page + count; p++)
                {
                    allMapped &= model.Mapped[p];
                    model.Resident[p] = false;
                    model.Word[p] = 0;
                }

                Assert.Equal(allMapped ? Errno.None : Errno.ENOMEM, r.Error);
                break;
            }

            case OsOperationKind.Mremap:
                ApplyMremap(os, model, op, count);
                break;

            case OsOperationKind.Write:
            {
                ulong at = address + 8;
                if (!model.Mapped[op.Page] || (model.Prot[op.Page] & Protection.Write) == 0)
                {
                    var fault = Assert.Throws<SegmentationFaultException>(() => os.WriteUInt64(at, op.Value));
                    Assert.Equal(at, fault.Address);
                    Assert.Equal(model.Mapped[op.Page], fault.Mapped);
                    break;
                }

                os.WriteUInt64(at, op.Value);
                model.Resident[op.Page] = true;
                model.Word[op.Page] = op.Value;
                break;
            }

            case OsOperationKind.Read:
            {
                ulong at = address + 8;
                if (!model.Mapped[op.Page] || model.Prot[op.Page] == Protection.None)
                {
                    var fault = Assert.Throws<SegmentationFaultException>(() => os.ReadUInt64(at));
                    Assert.Equal(model.Mapped[op.Page], fault.Mapped);
                    break;
                }

                Assert.Equal(model.Word[op.Page], os.ReadUInt64(at));
                model.Resident[op.Page] = true;
                break;
            }
        }
    }

    private static void ApplyMremap(SimulatedOs os, PageModel model, OsOperation op, int count)
    {
        ulong address = model.Address(op.Page);
        var r = os.Mremap(address, (ulong)count * 4096, (ulong)op.NewCount * 4096, MremapFlags.MayMove);
        if (!model.Mapped[op.Page] || model.RunEnd(op.Page) < op.Page + count)
        {
            Assert.Equal(Errno.EFAULT, r.Error);
            return;
        }

        Assert.True(r.Succeeded, op.ToString());
        Protection prot = model.Prot[op.Page];
        if (op.NewCount <= count)
        {
            Assert.Equal(address, r.Value);
            model.Unmap(op.Page + op.NewCount, count - op.NewCount);
            return;
        }

        int oldEnd = op.Page + count;
        int grow = op.NewCount - count;
        int inWindow = Math.Min(grow, model.Pages - oldEnd);
        bool inPlace = model.RunEnd(op.Page) == oldEnd && model.IsFree(oldEnd, inWindow);
        if (inPlace)
        {
            Assert.Equal(address, r.Value);
            model.Map(oldEnd, inWindow, prot);
            if (inWindow < grow)
            {
                // The space above the base was free, so the mapping grew across it; cut that part off again.
                Assert.True(os.Munmap(WindowEnd, (ulong)(grow - inWindow) * 4096).Succeeded);
            }

            return;
        }

        int destination = model.TopDown(op.NewCount);
        var words = model.Word[op.Page..oldEnd];
        var resident = model.Resident[op.Page..oldEnd];
        model.Unmap(op.Page, count);
        if (destination < 0)
        {
            Assert.True(r.Value >= WindowEnd, $"{op}: expected a move above the base, got 0x{r.Value:x}");
            for (int i = 0; i < count; i++)
            {
                if (prot != Protection.None)
                {
                    Assert.Equal(words[i], os.ReadUInt64(r.Value + ((ulong)i * 4096) + 8));
                }
            }

            Assert.True(os.Munmap(r.Value, (ulong)op.NewCount * 4096).Succeeded);
            return;
        }

        Assert.Equal(model.Address(destination), r.Value);
        model.Map(destination, op.NewCount, prot);
        for (int i = 0; i < count; i++)
        {
            model.Word[destination + i] = words[i];
            model.Resident[destination + i] = resident[i];
        }
    }

    private static void CheckInvariants(SimulatedOs os, PageModel model, int step, OsOperation op)
    {
        string where = $"after step {step}: {op}";
        var stats = os.GetStatistics();
        Assert.True(stats.RssBytes <= stats.VszBytes, where);
        Assert.Equal((ulong)model.MappedCount() * 4096, stats.VszBytes);
        Assert.Equal((ulong)model.ResidentCount() * 4096, stats.RssBytes);
        Assert.Equal(model.Runs(), stats.MapCount);

        var maps = os.GetMappings();
        for (int i = 1; i < maps.Count; i++)
        {
            Assert.True(maps[i - 1].End <= maps[i].Start, $"{where}: mappings overlap or are out of order");
        }

        for (int p = 0; p < model.Pages; p++)
        {
            ulong at = model.Address(p);
            Assert.True(model.Mapped[p] == os.IsAccessible(at, 4096, Protection.None), $"{where}: page {p} mapped");
            if (model.Mapped[p])
            {
                Assert.True(os.IsAccessible(at, 4096, Protection.Write) == ((model.Prot[p] & Protection.Write) != 0), $"{where}: page {p} writable");
                Assert.True(os.IsAccessible(at, 4096, Protection.Read) == (model.Prot[p] != Protection.None), $"{where}: page {p} readable");
            }
        }
    }
}
