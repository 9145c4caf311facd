// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using Allocators.Os;

namespace Allocators.Workloads;

/// <summary>
/// Replays a recorded trace through a strategy (meant for <c>glibc</c>) with the simulated heap placed at the
/// recorded <c># heap-start</c>, and holds every call against the recording: each result (as an offset from the
/// heap start for brk-heap pointers; for pointers outside the heap — mmapped chunks — both must be outside and
/// their chunk size words equal), each <c># hdr=</c> word and the program break after each call (<c># brk</c>).
/// Stops at the first divergence and shows it with the calls before it.
/// </summary>
public sealed class TraceVerifier
{
    private readonly Func<ISimulatedOs, IAllocator> _factory;
    private readonly VerifyOptions _options;

    /// <summary>Creates a verifier.</summary>
    /// <param name="factory">Creates the strategy on the simulated process.</param>
    /// <param name="options">Options; null = defaults.</param>
    public TraceVerifier(Func<ISimulatedOs, IAllocator> factory, VerifyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _factory = factory;
        _options = options ?? new VerifyOptions();
    }

    /// <summary>Verifies a trace file.</summary>
    /// <exception cref="TraceFormatException">The trace is malformed or has no <c># heap-start</c>.</exception>
    /// <exception cref="ReplayException">The trace frees or reallocates a pointer that is not live.</exception>
    public VerificationResult Verify(string tracePath)
    {
        using TraceReader reader = TraceReader.Open(tracePath);
        return Verify(reader);
    }

    /// <summary>Verifies the remaining records of <paramref name="reader"/>.</summary>
    /// <exception cref="TraceFormatException">The trace is malformed or has no <c># heap-start</c>.</exception>
    /// <exception cref="ReplayException">The trace frees or reallocates a pointer that is not live.</exception>
    public VerificationResult Verify(TraceReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var batch = new TraceRecord[8192];
        int count = reader.ReadBatch(batch);
        ulong heapStart = Replayer.FindHeapStart(batch.AsSpan(0, count))
            ?? throw new TraceFormatException("the trace has no # heap-start before its first call; verification needs one", reader.SourceName);

        using SimulatedOs os = Replayer.CreateOs(heapStart, _options.ConfigureOs);
        IAllocator allocator = _factory(os) ?? throw new InvalidOperationException("The allocator factory returned null.");
        var run = new Run(allocator, os, heapStart, Math.Max(0, _options.ContextCalls));
        long limit = _options.MaxCalls > 0 ? _options.MaxCalls : long.MaxValue;
        int previousThread = SimulatedThread.CurrentId;
        long nextProgress = 1 << 16;
        try
        {
            while (count > 0)
            {
                for (int i = 0; i < count; i++)
                {
                    if (batch[i].Kind == TraceRecordKind.Call && run.Calls >= limit)
                    {
                        run.Finish();
                        return run.Result();
                    }

                    if (!run.Accept(batch[i]))
                    {
                        return run.Result();
                    }
                }

                if (_options.Progress is not null && run.Calls >= nextProgress)
                {
                    _options.Progress(run.Calls);
                    nextProgress = run.Calls + (1 << 16);
                }

                count = reader.ReadBatch(batch);
            }

            run.Finish();
            return run.Result();
        }
        finally
        {
            SimulatedThread.Set(previousThread);
        }
    }

    private struct Step
    {
        public TraceCall Recorded;
        public ulong RecordedBreak;
        public bool RecordedBreakMoved;
        public TraceCall Simulated;
        public ulong SimulatedBreak;
        public bool SimulatedBreakMoved;
        public string? Error;
    }

    /// <summary>The state of one verification. A call is judged once the <c># brk</c> lines after it have been seen.</summary>
    private sealed class Run
    {
        private readonly IAllocator _allocator;
        private readonly SimulatedOs _os;
        private readonly ReplayState _state;
        private readonly ulong _heapStart;
        private readonly ulong _simulatedHeapStart;
        private readonly Step[] _ring;
        private long _steps;
        private bool _pending;
        private ulong _recordedBreak;
        private ulong _simulatedBreak;
        private long _matched;
        private TraceDivergence? _divergence;

        public Run(IAllocator allocator, SimulatedOs os, ulong heapStart, int context)
        {
            _allocator = allocator;
            _os = os;
            _state = new ReplayState(allocator, skipUnknown: false, renumberThreads: true);
            _heapStart = heapStart;
            _simulatedHeapStart = os.InitialBreak;
            _recordedBreak = heapStart;
            _simulatedBreak = os.CurrentBreak;
            _ring = new Step[context + 1];
        }

        public long Calls => _steps;

        /// <summary>Takes the next record; false once a divergence was found.</summary>
        public bool Accept(in TraceRecord record)
        {
            switch (record.Kind)
            {
                case TraceRecordKind.Brk:
                    _recordedBreak = record.Address;
                    if (_pending)
                    {
                        ref Step current = ref Current;
                        current.RecordedBreak = record.Address;
                        current.RecordedBreakMoved = true;
                    }

                    return true;
                case TraceRecordKind.HeapStart:
                    return true;
                case TraceRecordKind.ThreadExit:
                    // The exit's own effects (frees into the arena, a trim) show in the calls after it.
                    return ExitThread(record);
                default:
                    if (_pending && !Judge())
                    {
                        return false;
                    }

                    Execute(record.Call);
                    if (Current.Error is not null)
                    {
                        Judge();
                        return false;
                    }

                    return true;
            }
        }

        private bool ExitThread(in TraceRecord record)
        {
            if (_pending && !Judge())
            {
                return false;
            }

            try
            {
                _state.ExitThread(record.ThreadId, record.Line);
            }
            catch (ReplayException e) when (e.InnerException is not null)
            {
                // Reported as a divergence on the exit itself: the recorded program went on, the simulation could not.
                _steps++;
                ref Step step = ref Current;
                step = default;
                step.Recorded = new TraceCall(record.ThreadId, TraceCallKind.Free, 0, 0, 0, record.Line);
                step.Simulated = step.Recorded;
                step.Error = e.InnerException.Message;
                return Judge();
            }

            // _simulatedBreak is left alone: like the recorder, the break an exit moved is seen after the next call.
            return true;
        }

        public void Finish()
        {
            if (_pending)
            {
                Judge();
            }
        }

        public VerificationResult Result() => new(_allocator.Name, _steps, _matched, _heapStart, _divergence);

        private ref Step Current => ref _ring[(_steps - 1) % _ring.Length];

        private void Execute(in TraceCall call)
        {
            _steps++;
            ref Step step = ref Current;
            step = default;
            step.Recorded = call;
            step.RecordedBreak = _recordedBreak;
            _pending = true;
            ulong result;
            try
            {
                _state.Execute(call, out result);
            }
            catch (ReplayException e) when (e.InnerException is not null)
            {
                step.Error = e.InnerException.Message;
                step.Simulated = call;
                return;
            }

            TraceCall simulated = call with
            {
                Argument1 = call.Kind is TraceCallKind.Realloc or TraceCallKind.Free ? _state.LastPointer : call.Argument1,
                Result = result,
                HasHeader = false,
                HasUsable = false,
                Header = 0,
                Usable = 0,
            };
            if (result != 0 && _os.IsAccessible(result - 8, 8, Protection.Read))
            {
                simulated = simulated with { Header = _os.ReadUInt64(result - 8), HasHeader = true };
            }

            step.Simulated = simulated;
            ulong now = _os.CurrentBreak;
            step.SimulatedBreakMoved = now != _simulatedBreak;
            _simulatedBreak = now;
            step.SimulatedBreak = now;
        }

        /// <summary>Compares the pending call; false (and a divergence) when it differs.</summary>
        private bool Judge()
        {
            _pending = false;
            ref Step step = ref Current;
            if (step.Error is not null)
            {
                return Diverge(DivergenceKind.Error, $"the strategy threw: {step.Error}", "no error", step.Error);
            }

            TraceCall recorded = step.Recorded;
            TraceCall simulated = step.Simulated;
            if (recorded.Kind != TraceCallKind.Free)
            {
                ulong r = recorded.Result;
                ulong a = simulated.Result;
                if ((r == 0) != (a == 0))
                {
                    return Diverge(DivergenceKind.Result, "one side returned null", TraceCall.FormatPointer(r), TraceCall.FormatPointer(a));
                }

                if (r != 0)
                {
                    bool recordedInHeap = r >= _heapStart && r < step.RecordedBreak;
                    bool simulatedInHeap = a >= _simulatedHeapStart && a < step.SimulatedBreak;
                    if (recordedInHeap != simulatedInHeap)
                    {
                        return Diverge(
                            DivergenceKind.Result,
                            recordedInHeap ? "the recorded result is in the brk heap, the simulated one is not" : "the simulated result is in the brk heap, the recorded one is not",
                            Describe(r, recordedInHeap, _heapStart),
                            Describe(a, simulatedInHeap, _simulatedHeapStart));
                    }

                    if (recordedInHeap && r - _heapStart != a - _simulatedHeapStart)
                    {
                        return Diverge(DivergenceKind.Result, "different heap offsets", Describe(r, true, _heapStart), Describe(a, true, _simulatedHeapStart));
                    }

                    if (recorded.HasHeader && (!simulated.HasHeader || simulated.Header != recorded.Header))
                    {
                        return Diverge(
                            DivergenceKind.Header,
                            "different chunk size words",
                            "hdr=" + TraceCall.FormatPointer(recorded.Header),
                            simulated.HasHeader ? "hdr=" + TraceCall.FormatPointer(simulated.Header) : "unreadable");
                    }
                }
            }

            if (step.RecordedBreak - _heapStart != step.SimulatedBreak - _simulatedHeapStart)
            {
                return Diverge(
                    DivergenceKind.Break,
                    "different program break after the call",
                    Describe(step.RecordedBreak, true, _heapStart),
                    Describe(step.SimulatedBreak, true, _simulatedHeapStart));
            }

            _matched++;
            return true;
        }

        private static string Describe(ulong address, bool inHeap, ulong heapStart) =>
            inHeap && address >= heapStart
                ? $"{TraceCall.FormatPointer(address)} (heap+0x{address - heapStart:x})"
                : $"{TraceCall.FormatPointer(address)} (outside the heap)";

        private bool Diverge(DivergenceKind kind, string description, string expected, string actual)
        {
            var expectedLines = new List<string>();
            var actualLines = new List<string>();
            long first = Math.Max(1, _steps - _ring.Length + 1);
            for (long s = first; s <= _steps; s++)
            {
                Step step = _ring[(s - 1) % _ring.Length];
                expectedLines.Add($"{step.Recorded.Line}: {step.Recorded}");
                if (step.RecordedBreakMoved)
                {
                    expectedLines.Add("   # brk " + TraceCall.FormatPointer(step.RecordedBreak));
                }

                actualLines.Add(step.Error is null ? $"{step.Recorded.Line}: {step.Simulated}" : $"{step.Recorded.Line}: threw {step.Error}");
                if (step.SimulatedBreakMoved)
                {
                    actualLines.Add("   # brk " + TraceCall.FormatPointer(step.SimulatedBreak));
                }
            }

            Step current = Current;
            _divergence = new TraceDivergence
            {
                Line = current.Recorded.Line,
                CallIndex = _steps,
                Kind = kind,
                Description = description,
                Expected = expected,
                Actual = actual,
                ExpectedContext = expectedLines,
                ActualContext = actualLines,
            };
            return false;
        }
    }
}
