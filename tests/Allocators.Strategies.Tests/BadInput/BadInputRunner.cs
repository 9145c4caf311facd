// Copyright (c) Allocators contributors. MIT License.

using Allocators.Testing;

namespace Allocators.Strategies.Tests.BadInput;

/// <summary>
/// Runs a case on a fresh allocator, classifies what happened, then shows the allocator was not silently corrupted:
/// after the corrupted bytes are put back, <c>CheckHeap(Full)</c> passes and a fresh malloc/write/free works.
/// </summary>
internal static class BadInputRunner
{
    public static BadInputResult Run(BadInputCase badCase, string strategy)
    {
        using StrategyUnderTest subject = StrategyFixtures.Create(strategy);
        var probe = new BadInputProbe(subject);
        Exception? error = Record.Exception(() => badCase.Body(probe));
        string outcome = error is null ? probe.Note : Describe(error, probe);

        HeapCheckResult before = subject.Allocator.CheckHeap(HeapCheckLevel.Full);
        string checker = before.Succeeded ? "clean" : Ids(before);

        probe.Repair();
        HeapCheckResult after = subject.Allocator.CheckHeap(HeapCheckLevel.Full);
        string repaired = after.Succeeded ? "consistent" : "flagged: " + Ids(after);

        ulong fresh = subject.Allocator.Allocate(100);
        Assert.NotEqual(0UL, fresh);
        BlockPattern.Write(subject.Os, fresh, 100, 99);
        Assert.Equal(-1L, BlockPattern.FindMismatch(subject.Os, fresh, 100, 99, 100));
        subject.Allocator.Free(fresh);
        if (after.Succeeded)
        {
            HeapCheckResult last = subject.Allocator.CheckHeap(HeapCheckLevel.Full);
            Assert.True(last.Succeeded, $"{strategy}/{badCase.Name}: a fresh malloc/free after the case broke the heap: {last}");
        }

        return new BadInputResult(outcome, checker, repaired);
    }

    private static string Ids(HeapCheckResult result) => string.Join(" ", result.Failures.Select(f => f.Id).Distinct().Order(StringComparer.Ordinal));

    private static string Describe(Exception error, BadInputProbe probe)
    {
        switch (error)
        {
            case HeapCorruptionException corruption:
                // malloc has no address argument: it names the wild pointer it found in a free list (or 0, with the pointer in the detail).
                Assert.True(probe.Names(corruption.Address) || corruption.Operation == "malloc", $"the error names 0x{corruption.Address:x}, which the case never touched: {corruption.Message}");
                return $"HeapCorruption at {probe.Step}: {corruption.Check}";
            case AllocatorArgumentException argument:
                Assert.True(probe.Names(argument.Address), $"the error names 0x{argument.Address:x}, which the case never touched: {argument.Message}");
                return $"ArgumentError at {probe.Step}: {argument.Problem}";
            case SegmentationFaultException fault:
                Assert.True(probe.Names(fault.Address), $"the fault at 0x{fault.Address:x} is not near any block the case touched: {fault.Message}");
                return $"SIGSEGV at {probe.Step}: {(fault.Mapped ? "SEGV_ACCERR" : "SEGV_MAPERR")}";
            default:
                return $"UNHANDLED {error.GetType().Name} at {probe.Step}: {error.Message}";
        }
    }
}
