// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.Linq;

namespace Allocators.Workloads.Scenarios;

/// <summary>
/// The seed note's claims as scenarios. Each check measures one side (the glibc strategy on the simulated OS, or the
/// real glibc through the oracle) and decides the verdict from those numbers alone.
/// </summary>
internal static class SeedScenarios
{
    private const ulong KiB = 1024;
    private const ulong MiB = 1024 * KiB;
    private const ulong MmapThreshold = 128 * KiB;
    private const ulong MinChunk = 32;

    private const string NoRss =
        "the real process's RSS and page faults are not observable through the oracle (it reports pointers, size words, the break and mallinfo2)";

    public static IReadOnlyList<ScenarioDefinition> All { get; } =
    [
        BrkBelowThreshold(),
        MmapAboveThreshold(),
        VirtualUntilTouched(),
        Pool132K(),
        FreeKeepsBrk(),
        FreeUnmapsMmap(),
        HoleReuse(),
        FragmentationPinsHeap(),
        TrimTop(),
        DynamicThreshold(),
    ];

    /// <summary>glibc's request2size on x86-64: the request plus the 8-byte size word, rounded up to 16, at least 32.</summary>
    internal static ulong ChunkSize(ulong request) => Math.Max(MinChunk, (request + 8 + 15) & ~15UL);

    private static ScenarioDefinition BrkBelowThreshold()
    {
        ScenarioStep[] steps = [ScenarioStep.Malloc(1000), ScenarioStep.Malloc(120_000), ScenarioStep.Malloc(120_000)];
        return new ScenarioDefinition(
            "brk-below-threshold",
            "A malloc below the 128 KiB mmap threshold is served from the heap, which grows by moving the program break (brk) — never by mmap, even when the heap has to grow again (malloc(1000), then malloc(120000) twice).",
            null,
            steps,
            side =>
            {
                var check = new ClaimCheck();
                var run = side.Run(steps);
                check.UseLog(run);
                check.Set("firstBreakOffset", run[0].BreakOffset);
                check.Set("breakOffsetAfterSecond", run[1].BreakOffset);
                check.Set("breakOffsetAfterThird", run[2].BreakOffset);
                check.Set("breakMoves", run.Last.BreakMoves);
                check.Set("mmaps", run.Last.Mmaps);
                check.Set("allFromHeap", run.Steps.All(s => s.Place == PointerPlace.Heap));
                AddSyscalls(check, run);
                check.Require(run[0].BreakOffset > 0, "the first malloc did not move the break");
                check.Require(run[2].BreakOffset > run[1].BreakOffset, "the third malloc did not grow the heap with brk");
                check.Require(run.Steps.All(s => s.Place == PointerPlace.Heap), "a block was not in the brk heap");
                check.Require(run.Last.Mmaps == 0, "mmap was called");
                return check.Verdict();
            });
    }

    private static ScenarioDefinition MmapAboveThreshold()
    {
        ScenarioStep[] steps = [ScenarioStep.Malloc(128 * KiB), ScenarioStep.Malloc(256 * KiB)];
        return new ScenarioDefinition(
            "mmap-above-threshold",
            "A malloc whose chunk (request + 8, rounded up to 16) reaches the 128 KiB mmap threshold maps a private anonymous region of its own — but only when the heap's top chunk cannot serve it: right after start-up the top holds almost 132 KiB, so malloc(131072) is carved from it with no system call, and the smallest first request that mmaps is larger; once the top is used up, the smallest request that mmaps is exactly the one whose chunk is 128 KiB (131049), and one byte less grows the heap with brk.",
            "The note says every request of 128 KiB or more is mmapped; a request the top chunk can serve is not.",
            steps,
            side =>
            {
                var check = new ClaimCheck();
                var startup = side.Run([ScenarioStep.Malloc(128 * KiB)]);
                check.UseLog(startup);
                check.Set("startup128KiBPlace", startup[0].Place.ToString());
                check.Set("startup128KiBMmaps", startup[0].Mmaps);
                check.Set("startup128KiBBreakMoves", startup[0].BreakMoves);
                check.Require(startup[0].Place == PointerPlace.Heap && startup[0].Mmaps == 0, "malloc(131072) right after start-up was mmapped");

                ulong firstMmapping = SmallestMmapping(side, [], 1, 4 * MiB);
                check.Set("smallestFirstRequestThatMmaps", firstMmapping);
                check.Require(firstMmapping > 128 * KiB, "right after start-up a request of at most 128 KiB was mmapped");

                var warm = side.Run([ScenarioStep.Malloc(1)]);
                ulong chunk = warm[0].SizeWord is { } word ? word & ~7UL : ChunkSize(1);
                ulong topStart = warm[0].Offset - 16 + chunk;
                ulong topBytes = warm[0].BreakOffset - topStart;
                check.Set("topBytesAfterMalloc1", topBytes);
                ulong fill = topBytes >= MinChunk + 48 ? topBytes - MinChunk - 8 : 0;
                check.Set("fillRequest", fill);
                ScenarioStep[] prefix = [ScenarioStep.Malloc(1), ScenarioStep.Malloc(fill)];
                var filled = side.Run(prefix);
                check.Require(filled[1].Place == PointerPlace.Heap && filled[1].BreakMoves == filled[0].BreakMoves, "the fill request did not come from the top");

                ulong boundary = SmallestMmapping(side, prefix, 1, 4 * MiB);
                check.Set("smallestRequestThatMmapsWhenTopUsedUp", boundary);
                check.Set("chunkBytesOfThatRequest", ChunkSize(boundary));
                check.Require(boundary > 1 && ChunkSize(boundary) >= MmapThreshold && ChunkSize(boundary - 1) < MmapThreshold, "the boundary is not where the chunk reaches 128 KiB");
                if (boundary > 1)
                {
                    var below = side.Run([.. prefix, ScenarioStep.Malloc(boundary - 1)]);
                    bool belowGrewBreak = below.Last.Place == PointerPlace.Heap && below.Last.BreakOffset > below[1].BreakOffset;
                    check.Set("oneByteLessGrowsBreak", belowGrewBreak);
                    check.Set("oneByteLessMmaps", below.Last.Mmaps);
                    check.Require(belowGrewBreak && below.Last.Mmaps == 0, "one byte below the boundary did not grow the heap with brk");
                    var at = side.Run([.. prefix, ScenarioStep.Malloc(boundary)]);
                    check.Set("atBoundaryMmaps", at.Last.Mmaps);
                    check.Set("atBoundaryBreakMoves", at.Last.BreakMoves - at[1].BreakMoves);
                    check.Require(at.Last.Mmaps == 1 && at.Last.BreakOffset == at[1].BreakOffset, "the boundary request did not make exactly one mmap and no brk");
                }

                return check.Verdict();
            });
    }

    private static ScenarioDefinition VirtualUntilTouched()
    {
        ScenarioStep[] steps = [ScenarioStep.Malloc(MiB), ScenarioStep.Touch(0, 256 * KiB), ScenarioStep.Touch(0, MiB)];
        return new ScenarioDefinition(
            "virtual-until-touched",
            "malloc returns virtual memory: after malloc(1 MiB) the address space (VSZ) grows by at least 1 MiB at once, but resident memory (RSS) grows only by the pages malloc itself wrote; touching 256 KiB, then all of it, adds exactly those pages to RSS, one page fault each.",
            null,
            steps,
            side =>
            {
                var check = new ClaimCheck();
                var run = side.Run(steps);
                check.UseLog(run);
                ulong vszBefore = run.BaselineVszBytes ?? 0;
                ulong vszAtMalloc = run[0].VszBytes ?? 0;
                check.Set("vszGrowthAtMalloc", vszAtMalloc - vszBefore);
                check.Require(vszAtMalloc - vszBefore >= MiB, "VSZ did not grow by 1 MiB at malloc");
                if (run[0].RssBytes is not { } rssAtMalloc || run.BaselineRssBytes is not { } rssBefore)
                {
                    check.CannotTell(NoRss);
                    return check.Verdict();
                }

                ulong rss256 = run[1].RssBytes!.Value;
                ulong rssAll = run[2].RssBytes!.Value;
                long faultsAtMalloc = run[0].PageFaults!.Value;
                long faults256 = run[1].PageFaults!.Value - faultsAtMalloc;
                long faultsAll = run[2].PageFaults!.Value - run[1].PageFaults!.Value;
                const ulong page = 4096;
                check.Set("rssGrowthAtMalloc", rssAtMalloc - rssBefore);
                check.Set("pageFaultsAtMalloc", faultsAtMalloc);
                check.Set("rssGrowthTouching256KiB", rss256 - rssAtMalloc);
                check.Set("pageFaultsTouching256KiB", faults256);
                check.Set("rssGrowthTouchingAll", rssAll - rss256);
                check.Set("pageFaultsTouchingAll", faultsAll);
                check.Set("finalRssBytes", rssAll);
                check.Set("finalVszBytes", run[2].VszBytes);
                check.Require(rssAtMalloc - rssBefore <= 2 * page + (vszAtMalloc - vszBefore - MiB), "malloc made more than its own header pages resident");
                check.Require(rss256 - rssAtMalloc >= 256 * KiB - page && rss256 - rssAtMalloc <= 256 * KiB, "touching 256 KiB did not add about 64 pages");
                check.Require((ulong)faults256 * page == rss256 - rssAtMalloc, "page faults do not match the pages made resident (256 KiB)");
                check.Require((ulong)faultsAll * page == rssAll - rss256, "page faults do not match the pages made resident (rest)");
                check.Require(rssAll - rssBefore >= MiB, "touching all of it did not make 1 MiB resident");
                return check.Verdict();
            });
    }

    private static ScenarioDefinition Pool132K()
    {
        const int smallCount = 1500;
        var steps = new List<ScenarioStep>(smallCount + 1) { ScenarioStep.Malloc(1) };
        for (int i = 0; i < smallCount; i++)
        {
            steps.Add(ScenarioStep.Malloc(100));
        }

        return new ScenarioDefinition(
            "pool-132k",
            "The first malloc — even malloc(1) — grows the heap by 132 KiB (0x21000 bytes: the 0x290-byte per-thread cache, 128 KiB of padding and a minimum chunk, rounded up to pages); the next ~1,200 mallocs of 100 bytes are carved from that pool without any system call.",
            null,
            steps,
            side =>
            {
                var check = new ClaimCheck();
                var run = side.Run(steps);
                check.UseLog(new ScenarioRun(run.Side, run.Steps.Take(4).ToArray(), null, null, null, null));
                ulong first = check.Set("firstBreakOffset", run[0].BreakOffset);
                int nextMove = run.Steps.Skip(1).FirstOrDefault(s => s.BreakMoves > run[0].BreakMoves)?.Index ?? -1;
                int withoutSyscall = nextMove < 0 ? smallCount : nextMove - 1;
                check.Set("smallMallocsWithoutSyscall", withoutSyscall);
                check.Set("nextBreakOffset", nextMove < 0 ? run.Last.BreakOffset : run[nextMove].BreakOffset);
                check.Set("mmaps", run.Last.Mmaps);
                if (run[0].Syscalls is { } firstSyscalls && nextMove > 1)
                {
                    check.Set("firstMallocSyscalls", firstSyscalls);
                    check.Set("syscallsDuringPooledMallocs", run[nextMove - 1].Syscalls!.Value - firstSyscalls);
                    check.Require(run[nextMove - 1].Syscalls!.Value == firstSyscalls, "a pooled malloc made a system call");
                }

                check.Require(first == 0x21000, "the first heap growth is not 132 KiB");
                check.Require(withoutSyscall >= 1000, "fewer than 1,000 small mallocs fit in the pool");
                check.Require(run.Last.Mmaps == 0, "mmap was called");
                return check.Verdict();
            });
    }

    private static ScenarioDefinition FreeKeepsBrk()
    {
        ScenarioStep[] steps =
        [
            ScenarioStep.Malloc(1000), ScenarioStep.Malloc(100), ScenarioStep.Malloc(50_000), ScenarioStep.Malloc(100),
            ScenarioStep.Free(0), ScenarioStep.Free(2), ScenarioStep.Malloc(1000), ScenarioStep.Malloc(50_000),
        ];
        return new ScenarioDefinition(
            "free-keeps-brk",
            "free of a block in the brk heap returns nothing to the OS (no system call, the break stays); the next malloc of the same size gets the same block back (a 1000-byte and a 50000-byte block, each followed by a live block).",
            null,
            steps,
            side =>
            {
                var check = new ClaimCheck();
                var run = side.Run(steps);
                check.UseLog(run);
                check.Set("breakOffsetBeforeFrees", run[3].BreakOffset);
                check.Set("breakOffsetAfterFrees", run[5].BreakOffset);
                if (run[3].Syscalls is { } before)
                {
                    check.Set("syscallsDuringFrees", run[5].Syscalls!.Value - before);
                    check.Require(run[5].Syscalls!.Value == before, "a free made a system call");
                }

                check.Set("smallBlockOffset", run[0].Offset);
                check.Set("smallBlockReuseOffset", run[6].Offset);
                check.Set("largeBlockOffset", run[2].Offset);
                check.Set("largeBlockReuseOffset", run[7].Offset);
                check.Require(run[5].BreakOffset == run[3].BreakOffset, "free moved the break");
                check.Require(run[5].Munmaps == 0 && run[5].Mmaps == 0, "free unmapped memory");
                check.Require(run[6].Place == PointerPlace.Heap && run[6].Offset == run[0].Offset, "malloc(1000) did not reuse the freed block");
                check.Require(run[7].Place == PointerPlace.Heap && run[7].Offset == run[2].Offset, "malloc(50000) did not reuse the freed block");
                return check.Verdict();
            });
    }

    private static ScenarioDefinition FreeUnmapsMmap()
    {
        ScenarioStep[] steps = [ScenarioStep.Malloc(MiB), ScenarioStep.Free(0)];
        return new ScenarioDefinition(
            "free-unmaps-mmap",
            "free of an mmapped block (malloc(1 MiB)) unmaps it at once with munmap: VSZ drops by the whole mapping and the break does not move.",
            null,
            steps,
            side =>
            {
                var check = new ClaimCheck();
                var run = side.Run(steps);
                check.UseLog(run);
                check.Set("place", run[0].Place.ToString());
                if (run[0].SizeWord is { } word)
                {
                    check.Set("mappedChunkBytes", word & ~7UL);
                }

                ulong vszAfterMalloc = run[0].VszBytes ?? 0;
                ulong vszAfterFree = run[1].VszBytes ?? 0;
                check.Set("vszAfterMalloc", vszAfterMalloc);
                check.Set("vszAfterFree", vszAfterFree);
                check.Set("vszDrop", vszAfterMalloc - vszAfterFree);
                check.Set("munmapsAtFree", run[1].Munmaps - run[0].Munmaps);
                check.Require(run[0].Place == PointerPlace.Mapped, "malloc(1 MiB) was not mmapped");
                check.Require(run[1].Munmaps - run[0].Munmaps == 1, "free did not unmap exactly one mapping");
                check.Require(vszAfterMalloc - vszAfterFree >= MiB, "VSZ did not drop by 1 MiB");
                check.Require(run[1].BreakOffset == run[0].BreakOffset, "free moved the break");
                return check.Verdict();
            });
    }

    private static ScenarioDefinition HoleReuse()
    {
        ScenarioStep[] steps =
        [
            ScenarioStep.Malloc(10 * KiB), ScenarioStep.Malloc(20 * KiB), ScenarioStep.Malloc(30 * KiB),
            ScenarioStep.Free(0), ScenarioStep.Free(1),
            ScenarioStep.Malloc(40 * KiB), ScenarioStep.Malloc(25 * KiB), ScenarioStep.Malloc(40 * KiB), ScenarioStep.Malloc(40 * KiB),
        ];
        return new ScenarioDefinition(
            "hole-reuse-10-20-30",
            "With 10k, 20k and 30k allocated in a row, freeing 10k and 20k coalesces them into one 30 KiB hole below the live 30k block; a 25k request is placed in the hole, a 40k request cannot use it and is taken from the top, and once the top is used up the heap grows with brk — the hole stays, unusable for 40k requests.",
            null,
            steps,
            side =>
            {
                var check = new ClaimCheck();
                var run = side.Run(steps);
                check.UseLog(run);
                ulong holeStart = check.Set("holeOffset", run[0].Offset);
                ulong holeEnd = run[2].Offset;
                check.Set("holeBytes", holeEnd - holeStart);
                bool InHole(StepObservation s) => s.Place == PointerPlace.Heap && s.Offset >= holeStart && s.Offset < holeEnd;
                check.Set("first40KiBOffset", run[5].Offset);
                check.Set("request25KiBOffset", run[6].Offset);
                check.Set("second40KiBOffset", run[7].Offset);
                check.Set("third40KiBOffset", run[8].Offset);
                check.Set("breakOffsetBefore40KiB", run[4].BreakOffset);
                check.Set("breakOffsetAtEnd", run[8].BreakOffset);
                check.Set("mmaps", run.Last.Mmaps);
                check.Require(holeEnd - holeStart >= 30 * KiB, "10k and 20k were not adjacent");
                check.Require(run[6].Place == PointerPlace.Heap && run[6].Offset == holeStart, "the 25k request did not reuse the hole");
                check.Require(!InHole(run[5]) && !InHole(run[7]) && !InHole(run[8]), "a 40k request was placed in the hole");
                check.Require(run[5].Offset > holeEnd && run[7].Offset > holeEnd && run[8].Offset > holeEnd, "a 40k request was not taken above the live 30k block");
                check.Require(run[8].BreakOffset > run[4].BreakOffset, "the heap did not grow once the top was used up");
                check.Require(run.Last.Mmaps == 0, "mmap was called");
                return check.Verdict();
            });
    }

    private static ScenarioDefinition FragmentationPinsHeap()
    {
        const int blocks = 64;
        const ulong blockBytes = 4000;

        static List<ScenarioStep> Script(bool pin)
        {
            var steps = new List<ScenarioStep>();
            for (int i = 0; i < blocks; i++)
            {
                steps.Add(ScenarioStep.Malloc(blockBytes));
            }

            if (pin)
            {
                steps.Add(ScenarioStep.Malloc(100));
            }

            for (int i = 0; i < blocks; i++)
            {
                steps.Add(ScenarioStep.Free(i));
            }

            return steps;
        }

        var pinnedSteps = Script(pin: true);
        return new ScenarioDefinition(
            "fragmentation-pins-heap",
            "Why not brk for everything: the heap can only shrink from its top, so one small live block at the top keeps all the freed memory below it from the OS — 64 blocks of 4000 bytes freed under a live 100-byte block leave the break where it was, while the same frees without that block shrink the heap.",
            null,
            pinnedSteps,
            side =>
            {
                var check = new ClaimCheck();
                var pinned = side.Run(pinnedSteps);
                var unpinned = side.Run(Script(pin: false));
                check.UseLog(new ScenarioRun(pinned.Side, pinned.Steps.Skip(blocks - 2).Take(5).ToArray(), null, null, null, null));
                var pin = pinned[blocks];
                check.Set("freedBytes", (ulong)blocks * ChunkSize(blockBytes));
                check.Set("pinOffset", pin.Offset);
                ulong breakBefore = check.Set("breakOffsetBeforeFrees", pin.BreakOffset);
                ulong pinnedAfter = check.Set("breakOffsetAfterFreesWithPin", pinned.Last.BreakOffset);
                ulong unpinnedAfter = check.Set("breakOffsetAfterFreesWithoutPin", unpinned.Last.BreakOffset);
                check.Set("keptByThePinBytes", pinnedAfter - Math.Min(pinnedAfter, unpinnedAfter));
                if (pinned.Last.RssBytes is { } rssPinned && unpinned.Last.RssBytes is { } rssUnpinned)
                {
                    check.Set("rssAfterFreesWithPin", rssPinned);
                    check.Set("rssAfterFreesWithoutPin", rssUnpinned);
                }

                check.Require(pin.Place == PointerPlace.Heap && pinnedAfter > pin.Offset, "the pin is not below the break");
                check.Require(pinnedAfter > unpinnedAfter, "the pinned heap did not keep more than the unpinned one");
                check.Require(unpinnedAfter < breakBefore, "without the pin the heap did not shrink");
                check.Require(pinnedAfter - unpinnedAfter >= (ulong)blocks * blockBytes / 2, "the pin kept less than half of the freed bytes");
                return check.Verdict();
            });
    }

    private static ScenarioDefinition TrimTop()
    {
        ScenarioStep[] steps = [ScenarioStep.Malloc(1), ScenarioStep.Malloc(120_000), ScenarioStep.Malloc(120_000), ScenarioStep.Free(2)];
        return new ScenarioDefinition(
            "trim-top",
            "When a free leaves more than 128 KiB (the trim threshold) free at the top of the heap, free does shrink the break (brk with a lower address), keeping 128 KiB of padding: malloc(1), malloc(120000) twice, then freeing the last one.",
            "The note says freed brk memory is never given back; it is, from the top of the heap.",
            steps,
            side =>
            {
                var check = new ClaimCheck();
                var run = side.Run(steps);
                check.UseLog(run);
                ulong before = check.Set("breakOffsetBeforeFree", run[2].BreakOffset);
                ulong after = check.Set("breakOffsetAfterFree", run[3].BreakOffset);
                check.Set("trimmedBytes", before - Math.Min(before, after));
                ulong secondEnd = run[1].Offset - 16 + (run[1].SizeWord is { } w ? w & ~7UL : ChunkSize(120_000));
                ulong topKept = check.Set("topBytesKept", after - secondEnd);
                check.Require(after < before, "free did not lower the break");
                check.Require(topKept >= 128 * KiB && topKept < 128 * KiB + 4096 + 64, "the top kept is not 128 KiB of padding (plus the rest of a page)");
                return check.Verdict();
            });
    }

    private static ScenarioDefinition DynamicThreshold()
    {
        ScenarioStep[] steps = [ScenarioStep.Malloc(MiB), ScenarioStep.Free(0), ScenarioStep.Malloc(MiB), ScenarioStep.Malloc(2 * MiB)];
        return new ScenarioDefinition(
            "dynamic-threshold",
            "The mmap threshold is dynamic: freeing a 1 MiB mmapped block raises it to that block's size, so the next malloc(1 MiB) comes from the heap (brk, no mmap); a 2 MiB request, above the new threshold, is still mmapped.",
            "The note treats 128 KiB as a fixed threshold.",
            steps,
            side =>
            {
                var check = new ClaimCheck();
                var run = side.Run(steps);
                check.UseLog(run);
                check.Set("firstPlace", run[0].Place.ToString());
                check.Set("secondPlace", run[2].Place.ToString());
                check.Set("secondBreakGrowthBytes", run[2].BreakOffset - run[1].BreakOffset);
                check.Set("thirdPlace", run[3].Place.ToString());
                check.Set("mmaps", run.Last.Mmaps);
                check.Require(run[0].Place == PointerPlace.Mapped, "the first malloc(1 MiB) was not mmapped");
                check.Require(run[2].Place == PointerPlace.Heap && run[2].BreakOffset > run[1].BreakOffset, "the second malloc(1 MiB) did not come from the brk heap");
                check.Require(run[2].Mmaps == 1, "the second malloc(1 MiB) made an mmap");
                check.Require(run[3].Place == PointerPlace.Mapped, "malloc(2 MiB) was not mmapped");
                return check.Verdict();
            });
    }

    private static void AddSyscalls(ClaimCheck check, ScenarioRun run)
    {
        if (run.Last.Syscalls is { } syscalls)
        {
            check.Set("syscalls", syscalls);
        }
    }

    /// <summary>The smallest request in (lo, hi] that, made after <paramref name="prefix"/> in a fresh process, is mmapped; 0 when none is.</summary>
    private static ulong SmallestMmapping(IScenarioRunner side, IReadOnlyList<ScenarioStep> prefix, ulong lo, ulong hi)
    {
        bool Mmaps(ulong n) => side.Run([.. prefix, ScenarioStep.Malloc(n)]).Last.Place == PointerPlace.Mapped;
        if (Mmaps(lo))
        {
            return lo;
        }

        if (!Mmaps(hi))
        {
            return 0;
        }

        while (hi - lo > 1)
        {
            ulong mid = lo + ((hi - lo) / 2);
            if (Mmaps(mid))
            {
                hi = mid;
            }
            else
            {
                lo = mid;
            }
        }

        return hi;
    }
}
