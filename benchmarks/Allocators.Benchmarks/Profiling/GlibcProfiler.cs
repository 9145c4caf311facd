// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Allocators.Benchmarks.Infrastructure;
using Allocators.Os;
using Allocators.Strategies.Glibc;
using Allocators.Workloads;

namespace Allocators.Benchmarks.Profiling;

/// <summary>
/// <c>dotnet run -c Release --project benchmarks/Allocators.Benchmarks -- profile-glibc TRACE [runs] [sim|native|both]</c>:
/// pre-decodes a trace into an operation array over slot indices, then times only the allocator calls, on the glibc
/// strategy (a fresh simulated process per run, construction untimed) and on the real glibc through P/Invoke. Prints
/// the best and median ns/call of each side and the ratio. <c>harness</c> times TraceReplayBenchmarks' own loop instead
/// (its sequence, drain included, through <see cref="SimulatedHeap"/>, one allocator reused across runs: what the
/// BenchmarkDotNet ratio measures, in-process and quick); <c>e2e</c> times parse + replay as <c>allocators replay</c> does.
/// </summary>
public static partial class GlibcProfiler
{
    /// <summary>Runs the <c>profile-glibc</c> verb (called from <see cref="Program.Main"/>).</summary>
    public static int Run(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: profile-glibc TRACE [runs=5] [sim|native|both|harness|e2e]");
            return 2;
        }

        int runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        string side = args.Length > 2 ? args[2] : "both";
        if (side == "e2e")
        {
            return RunEndToEnd(args[0], runs);
        }

        if (side == "harness")
        {
            return RunHarness(args[0], runs);
        }

        var sw = Stopwatch.StartNew();
        Op[] ops = Decode(args[0], out int slots, out int threads, out ulong? heapStart);
        Console.WriteLine($"{args[0]}: {ops.Length:N0} calls, {slots:N0} slots, {threads} thread(s) renumbered from 0, decoded in {sw.ElapsedMilliseconds} ms");

        var sim = new List<double>();
        var native = new List<double>();
        for (int r = 0; r < runs; r++)
        {
            if (side is "sim" or "both")
            {
                sim.Add(RunSimulated(ops, slots, heapStart));
            }

            if (side is "native" or "both")
            {
                native.Add(RunNative(ops, slots));
            }
        }

        Report("glibc strategy", sim, ops.Length);
        Report("real glibc    ", native, ops.Length);
        if (sim.Count > 0 && native.Count > 0)
        {
            sim.Sort();
            native.Sort();
            Console.WriteLine($"ratio (best/best): {sim[0] / native[0]:F2}x");
        }

        return 0;
    }

    /// <summary>Parse + replay through <see cref="Replayer"/> (what <c>allocators replay</c> does), wall clock per run.</summary>
    private static int RunEndToEnd(string path, int runs)
    {
        double best = double.MaxValue;
        long calls = 0;
        for (int r = 0; r < runs; r++)
        {
            var replayer = new Replayer(os => new GlibcAllocator(os));
            long t0 = Stopwatch.GetTimestamp();
            ReplayResult result = replayer.Replay(path);
            double seconds = (Stopwatch.GetTimestamp() - t0) / (double)Stopwatch.Frequency;
            calls = result.Calls;
            best = Math.Min(best, seconds);
            Console.WriteLine($"run {r}: {result.Calls:N0} calls in {seconds:F2} s = {result.Calls / seconds / 1e6:F2} M calls/s, peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / (1 << 20)} MiB");
        }

        Console.WriteLine($"end to end best: {calls / best / 1e6:F2} M calls/s ({best * 1e9 / calls:F1} ns/call)");
        return 0;
    }

    /// <summary>
    /// The head-to-head benchmark's own loop (<see cref="SequenceRunner"/> over <see cref="TraceSequenceDecoder"/>'s
    /// sequence, drain included) on one allocator reused across runs, as BenchmarkDotNet's iterations reuse it.
    /// </summary>
    private static int RunHarness(string path, int runs)
    {
        OperationSequence sequence = TraceSequenceDecoder.FromFile(path);
        using var os = new SimulatedOs();
        var heap = new SimulatedHeap(new GlibcAllocator(os));
        ulong[] simSlots = new ulong[sequence.SlotCount];
        ulong[] nativeSlots = new ulong[sequence.SlotCount];
        var sim = new List<double>();
        var native = new List<double>();
        var simDrain = new List<double>();
        var nativeDrain = new List<double>();
        for (int r = 0; r < runs; r++)
        {
            ReadOnlySpan<Operation> ops = sequence.Operations;
            int d = sequence.DrainStart;
            long t0 = Stopwatch.GetTimestamp();
            SequenceRunner.Run(heap, ops[..d], simSlots);
            long ta = Stopwatch.GetTimestamp();
            SequenceRunner.Run(heap, ops[d..], simSlots);
            long t1 = Stopwatch.GetTimestamp();
            SequenceRunner.Run(default(NativeHeap), ops[..d], nativeSlots);
            long tb = Stopwatch.GetTimestamp();
            SequenceRunner.Run(default(NativeHeap), ops[d..], nativeSlots);
            long t2 = Stopwatch.GetTimestamp();
            simDrain.Add((t1 - ta) / (double)Stopwatch.Frequency);
            nativeDrain.Add((t2 - tb) / (double)Stopwatch.Frequency);
            sim.Add((t1 - t0) / (double)Stopwatch.Frequency);
            native.Add((t2 - t1) / (double)Stopwatch.Frequency);
        }

        OsStatistics osStats = os.GetStatistics();
        Console.WriteLine($"{path}: {sequence.Length:N0} operations (drain from {sequence.DrainStart:N0}), the benchmark's loop, one allocator reused");
        Console.WriteLine($"simulated process per run: {osStats.PageFaults / (double)runs:F1} page faults, {osStats.Syscalls / (double)runs:F1} system calls");
        Report("glibc strategy", sim, sequence.Length);
        Report("real glibc    ", native, sequence.Length);
        Report("drain sim     ", simDrain, sequence.Length - sequence.DrainStart);
        Report("drain native  ", nativeDrain, sequence.Length - sequence.DrainStart);
        sim.Sort();
        native.Sort();
        Console.WriteLine($"ratio (best/best): {sim[0] / native[0]:F2}x, (median/median): {sim[runs / 2] / native[runs / 2]:F2}x");
        return 0;
    }

    private static void Report(string name, List<double> seconds, int calls)
    {
        if (seconds.Count == 0)
        {
            return;
        }

        seconds.Sort();
        double best = seconds[0] * 1e9 / calls;
        double median = seconds[seconds.Count / 2] * 1e9 / calls;
        Console.WriteLine($"{name}: best {best,8:F1} ns/call, median {median,8:F1} ns/call ({calls / seconds[0] / 1e6:F2} M calls/s)");
    }

    private static Op[] Decode(string path, out int slotCount, out int threadCount, out ulong? heapStart)
    {
        var ops = new List<Op>();
        var live = new Dictionary<ulong, int>();
        var freeSlots = new Stack<int>();
        var threads = new Dictionary<int, int>();
        int next = 0;
        using TraceReader reader = TraceReader.Open(path);
        heapStart = null;
        while (reader.TryRead(out TraceRecord record))
        {
            if (record.Kind == TraceRecordKind.HeapStart)
            {
                heapStart ??= record.Address;
                continue;
            }

            if (record.Kind != TraceRecordKind.Call)
            {
                continue;
            }

            TraceCall c = record.Call;
            int argSlot = -1;
            if (c.Kind is TraceCallKind.Free or TraceCallKind.Realloc && c.Argument1 != 0)
            {
                if (!live.Remove(c.Argument1, out argSlot))
                {
                    continue; // a pointer the trace never returned: nothing to replay
                }
            }

            int resultSlot = -1;
            if (c.Kind != TraceCallKind.Free && c.Result != 0)
            {
                if (argSlot >= 0 && c.Result != 0)
                {
                    resultSlot = argSlot;
                }
                else
                {
                    resultSlot = freeSlots.Count > 0 ? freeSlots.Pop() : next++;
                }

                live[c.Result] = resultSlot;
            }
            else if (argSlot >= 0 && !(c.Kind == TraceCallKind.Realloc && c.Result == 0 && c.Argument2 != 0))
            {
                freeSlots.Push(argSlot);
            }
            else if (argSlot >= 0)
            {
                live[c.Argument1] = argSlot; // failed realloc keeps the block
            }

            // Threads are renumbered 0, 1, 2... in order of first appearance, as the replayer does (ReplayOptions.
            // RenumberThreads): the trace's first thread is the main thread, SimulatedThread 0, whose id costs no
            // thread-static lookup in the strategy.
            if (!threads.TryGetValue(c.Tid, out int tid))
            {
                tid = threads.Count;
                threads.Add(c.Tid, tid);
            }

            ops.Add(new Op(tid, (byte)c.Kind, c.Argument1, c.Argument2, argSlot, resultSlot));
        }

        slotCount = next;
        threadCount = threads.Count;
        return ops.ToArray();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double RunSimulated(Op[] ops, int slotCount, ulong? heapStart)
    {
        var options = new SimulatedOsOptions();
        if (heapStart is ulong start)
        {
            options.BreakStart = start;
        }

        using var os = new SimulatedOs(options);
        var allocator = new GlibcAllocator(os);
        ulong[] slots = new ulong[slotCount];
        int tid = 0;
        SimulatedThread.Set(0);
        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < ops.Length; i++)
        {
            ref readonly Op op = ref ops[i];
            if (op.Tid != tid)
            {
                // Only on a change: the thread-static store is not part of the allocator's cost.
                tid = op.Tid;
                SimulatedThread.Set(tid);
            }

            switch (op.Kind)
            {
                case (byte)TraceCallKind.Malloc:
                    Store(slots, op.ResultSlot, allocator.Allocate(op.A1));
                    break;
                case (byte)TraceCallKind.Calloc:
                    Store(slots, op.ResultSlot, allocator.AllocateZeroed(op.A1, op.A2));
                    break;
                case (byte)TraceCallKind.Memalign:
                    Store(slots, op.ResultSlot, allocator.AllocateAligned(op.A1, op.A2));
                    break;
                case (byte)TraceCallKind.Realloc:
                    Store(slots, op.ResultSlot, allocator.Reallocate(op.ArgSlot >= 0 ? slots[op.ArgSlot] : 0, op.A2));
                    break;
                default:
                    allocator.Free(op.ArgSlot >= 0 ? slots[op.ArgSlot] : 0);
                    break;
            }
        }

        long t1 = Stopwatch.GetTimestamp();
        SimulatedThread.Set(0);
        return (t1 - t0) / (double)Stopwatch.Frequency;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static unsafe double RunNative(Op[] ops, int slotCount)
    {
        nint[] slots = new nint[slotCount];
        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < ops.Length; i++)
        {
            ref readonly Op op = ref ops[i];
            switch (op.Kind)
            {
                case (byte)TraceCallKind.Malloc:
                    StoreNative(slots, op.ResultSlot, Libc.malloc((nuint)op.A1));
                    break;
                case (byte)TraceCallKind.Calloc:
                    StoreNative(slots, op.ResultSlot, Libc.calloc((nuint)op.A1, (nuint)op.A2));
                    break;
                case (byte)TraceCallKind.Memalign:
                    StoreNative(slots, op.ResultSlot, Libc.memalign((nuint)op.A1, (nuint)op.A2));
                    break;
                case (byte)TraceCallKind.Realloc:
                    StoreNative(slots, op.ResultSlot, Libc.realloc(Take(slots, op.ArgSlot), (nuint)op.A2));
                    break;
                default:
                    Libc.free(Take(slots, op.ArgSlot));
                    break;
            }
        }

        long t1 = Stopwatch.GetTimestamp();
        var freed = new HashSet<nint>();
        foreach (nint p in slots)
        {
            if (p != 0 && freed.Add(p))
            {
                Libc.free(p);
            }
        }

        return (t1 - t0) / (double)Stopwatch.Frequency;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ulong[] slots, int slot, ulong value)
    {
        if (slot >= 0)
        {
            slots[slot] = value;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nint Take(nint[] slots, int slot)
    {
        if (slot < 0)
        {
            return 0;
        }

        nint p = slots[slot];
        slots[slot] = 0;
        return p;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreNative(nint[] slots, int slot, nint value)
    {
        if (slot >= 0)
        {
            slots[slot] = value;
        }
    }

    private readonly record struct Op(int Tid, byte Kind, ulong A1, ulong A2, int ArgSlot, int ResultSlot);

    private static partial class Libc
    {
        [LibraryImport("libc")]
        [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
        [SuppressGCTransition]
        internal static partial nint malloc(nuint size);

        [LibraryImport("libc")]
        [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
        [SuppressGCTransition]
        internal static partial nint calloc(nuint count, nuint size);

        [LibraryImport("libc")]
        [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
        [SuppressGCTransition]
        internal static partial nint realloc(nint pointer, nuint size);

        [LibraryImport("libc")]
        [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
        [SuppressGCTransition]
        internal static partial nint memalign(nuint alignment, nuint size);

        [LibraryImport("libc")]
        [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
        [SuppressGCTransition]
        internal static partial void free(nint pointer);
    }
}
