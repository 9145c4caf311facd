// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;

namespace Allocators.Workloads;

/// <summary>
/// Checks that a trace is self-consistent: every pointer freed or reallocated was returned before and is still
/// live, and no call returns a pointer that is live already.
/// </summary>
public static class TraceChecker
{
    /// <summary>Checks every remaining record of <paramref name="reader"/>.</summary>
    /// <param name="reader">The trace.</param>
    /// <param name="maxReported">How many problems to describe in <see cref="TraceCheckResult.FirstProblems"/>.</param>
    public static TraceCheckResult Check(TraceReader reader, int maxReported = 10)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var live = new AddressMap();
        var problems = new List<string>();
        var threads = new HashSet<int>();
        long count = 0, calls = 0;
        ulong liveBytes = 0, peak = 0;

        void Problem(in TraceCall call, string what)
        {
            count++;
            if (problems.Count < maxReported)
            {
                problems.Add($"line {call.Line}: {what}: {call}");
            }
        }

        void Add(in TraceCall call, ulong result, ulong size)
        {
            if (live.Set(result, size, out ulong oldSize))
            {
                Problem(call, "returns a pointer that is still live");
                liveBytes -= oldSize;
            }

            liveBytes += size;
            peak = Math.Max(peak, liveBytes);
        }

        foreach (TraceCall call in reader.ReadCalls())
        {
            calls++;
            threads.Add(call.Tid);
            switch (call.Kind)
            {
                case TraceCallKind.Free:
                    if (call.Pointer != 0)
                    {
                        if (live.Remove(call.Pointer, out ulong size))
                        {
                            liveBytes -= size;
                        }
                        else
                        {
                            Problem(call, "frees a pointer that is not live");
                        }
                    }

                    break;
                case TraceCallKind.Realloc when call.Pointer != 0:
                    if (!live.TryGetValue(call.Pointer, out ulong oldSize))
                    {
                        Problem(call, "reallocates a pointer that is not live");
                        if (call.Result != 0)
                        {
                            Add(call, call.Result, call.Size);
                        }
                    }
                    else if (call.Result != 0 || call.Size == 0)
                    {
                        live.Remove(call.Pointer, out _);
                        liveBytes -= oldSize;
                        if (call.Result != 0)
                        {
                            Add(call, call.Result, call.Size);
                        }
                    }

                    break;
                default:
                    if (call.Result != 0)
                    {
                        Add(call, call.Result, call.RequestedBytes);
                    }

                    break;
            }
        }

        return new TraceCheckResult(calls, count, problems, live.Count, peak, threads.Count);
    }

    /// <summary>Checks a trace file.</summary>
    public static TraceCheckResult Check(string path, int maxReported = 10)
    {
        using TraceReader reader = TraceReader.Open(path);
        return Check(reader, maxReported);
    }
}
