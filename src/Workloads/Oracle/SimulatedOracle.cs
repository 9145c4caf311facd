// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.Globalization;
using Allocators.Os;
using Allocators.Strategies.Glibc;

namespace Allocators.Workloads.Oracle;

/// <summary>
/// Runs an <see cref="OracleScript"/> through the simulated glibc (<see cref="GlibcAllocator"/> on a fresh
/// <see cref="SimulatedOs"/>) and reports it in the same shape as <see cref="GlibcOracle"/>: offsets from the simulated
/// initial break, size words read from simulated memory, and a <see cref="HeapCorruptionException.Check"/> as the abort
/// message, so <see cref="OracleComparer"/> can diff the two runs operation by operation.
/// </summary>
public static class SimulatedOracle
{
    private const string Source = "simulated glibc";

    /// <summary>A chunk this far from the initial break lives in an mmap fallback region (as in oracle.c).</summary>
    private const ulong OutsideHeap = 1UL << 40;

    /// <summary>Runs a script on a fresh simulated process.</summary>
    /// <param name="script">The script.</param>
    /// <param name="environment">
    /// The environment the real run would get: <c>GLIBC_TUNABLES</c> (<c>glibc.malloc.*</c>) and the <c>MALLOC_*_</c>
    /// aliases become <see cref="GlibcAllocatorOptions"/>, with glibc's rule that out-of-range values are ignored.
    /// </param>
    /// <param name="initialBreak">The initial break; null for the simulated default. Pass the real run's
    /// <see cref="OracleResult.InitialBreak"/> when the script aligns blocks beyond a page.</param>
    /// <returns>The result.</returns>
    public static OracleResult Run(OracleScript script, IReadOnlyDictionary<string, string>? environment = null, ulong? initialBreak = null)
    {
        ArgumentNullException.ThrowIfNull(script);
        var osOptions = new SimulatedOsOptions();
        if (initialBreak is { } b0)
        {
            osOptions.BreakStart = b0;
        }

        using var os = new SimulatedOs(osOptions);
        var allocator = new GlibcAllocator(os, OptionsFromEnvironment(environment));
        return Run(script, os, allocator);
    }

    /// <summary>Runs a script on a given simulated process and allocator (both fresh for an exact comparison).</summary>
    /// <param name="script">The script.</param>
    /// <param name="os">The simulated process.</param>
    /// <param name="allocator">The simulated glibc over <paramref name="os"/>.</param>
    /// <returns>The result.</returns>
    public static OracleResult Run(OracleScript script, ISimulatedOs os, GlibcAllocator allocator)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(os);
        ArgumentNullException.ThrowIfNull(allocator);
        var b0 = os.InitialBreak;
        var slots = new ulong[script.SlotCount];
        var defined = 0;
        var steps = new List<OracleStep>(script.Operations.Count);
        for (var i = 0; i < script.Operations.Count; i++)
        {
            var op = script.Operations[i];
            try
            {
                steps.Add(Execute(op, i, os, allocator, b0, slots, ref defined));
            }
            catch (HeapCorruptionException ex)
            {
                var segv = ex.Check == "SIGSEGV";
                return Stopped(steps, os, i, segv ? 11 : 6, segv ? null : ex.Check, ex.Message);
            }
            catch (AllocatorArgumentException ex)
            {
                // The pointer's header is unreadable: the real glibc dies of SIGSEGV there.
                return Stopped(steps, os, i, 11, null, ex.Message);
            }
            catch (SegmentationFaultException ex)
            {
                return Stopped(steps, os, i, 11, null, ex.Message);
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or IndexOutOfRangeException
                or NullReferenceException or OverflowException or KeyNotFoundException)
            {
                // Not glibc behaviour: a bug of the simulation, reported as a stop the comparer will flag.
                return Stopped(steps, os, i, -1, $"unexpected {ex.GetType().Name}: {ex.Message}", ex.ToString());
            }
        }

        return new OracleResult(Source, steps, os.CurrentBreak - b0, null, null, null, b0);
    }

    /// <summary>Translates <c>GLIBC_TUNABLES</c> and the <c>MALLOC_*_</c> aliases into options, ignoring what glibc ignores.</summary>
    /// <param name="environment">The environment variables, or null.</param>
    /// <returns>The options (defaults when nothing applies).</returns>
    public static GlibcAllocatorOptions OptionsFromEnvironment(IReadOnlyDictionary<string, string>? environment)
    {
        var options = new GlibcAllocatorOptions();
        if (environment is null)
        {
            return options;
        }

        foreach (var (key, value) in environment)
        {
            var tunable = key switch
            {
                "MALLOC_TOP_PAD_" => "top_pad",
                "MALLOC_PERTURB_" => "perturb",
                "MALLOC_MMAP_THRESHOLD_" => "mmap_threshold",
                "MALLOC_TRIM_THRESHOLD_" => "trim_threshold",
                "MALLOC_MMAP_MAX_" => "mmap_max",
                "MALLOC_ARENA_MAX" => "arena_max",
                "MALLOC_ARENA_TEST" => "arena_test",
                _ => null,
            };
            if (tunable is not null)
            {
                Apply(options, tunable, value);
            }
        }

        if (environment.TryGetValue("GLIBC_TUNABLES", out var tunables))
        {
            foreach (var item in tunables.Split(':', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = item.IndexOf('=', StringComparison.Ordinal);
                const string Prefix = "glibc.malloc.";
                if (eq > 0 && item.StartsWith(Prefix, StringComparison.Ordinal))
                {
                    Apply(options, item[Prefix.Length..eq], item[(eq + 1)..]);
                }
            }
        }

        return options;
    }

    private static void Apply(GlibcAllocatorOptions options, string name, string text)
    {
        if (!TryParseNumber(text, out var v))
        {
            return;
        }

        switch (name)
        {
            case "top_pad":
                options.TopPadBytes = v;
                break;
            case "perturb" when v <= 255:
                options.Perturb = (int)v;
                break;
            case "mmap_threshold":
                options.MmapThresholdBytes = v;
                break;
            case "trim_threshold":
                options.TrimThresholdBytes = v;
                break;
            case "mmap_max" when v <= int.MaxValue:
                options.MmapMax = (int)v;
                break;
            case "arena_max" when v is >= 1 and <= int.MaxValue:
                options.ArenaMax = (int)v;
                break;
            case "arena_test" when v is >= 1 and <= int.MaxValue:
                options.ArenaTest = (int)v;
                break;
            case "tcache_max" when v <= 1032:
                options.TcacheMaxBytes = v;
                break;
            case "tcache_count" when v <= 65535:
                options.TcacheCount = v;
                break;
            case "tcache_unsorted_limit":
                options.TcacheUnsortedLimit = v;
                break;
            case "mxfast" when v <= 160:
                options.MaxFastBytes = v;
                break;
            default:
                break;
        }
    }

    private static bool TryParseNumber(string text, out ulong value)
    {
        text = text.Trim();
        return text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)
            : ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static OracleResult Stopped(List<OracleStep> steps, ISimulatedOs os, int operation, int signal, string? message, string detail)
        => new(Source, steps, os.CurrentBreak - os.InitialBreak, operation, signal, message, os.InitialBreak) { Detail = detail };

    private static OracleStep Execute(OracleOperation op, int index, ISimulatedOs os, GlibcAllocator allocator, ulong b0, ulong[] slots, ref int defined)
    {
        ulong? value = null;
        OracleMallinfo? mallinfo = null;
        string? text = null;
        ulong pointer = 0;
        var isPointer = true;
        switch (op.Kind)
        {
            case OracleOperationKind.Malloc:
                pointer = allocator.Allocate(op.Size);
                break;
            case OracleOperationKind.Calloc:
                pointer = allocator.AllocateZeroed(op.Count, op.Size);
                break;
            case OracleOperationKind.Realloc:
                pointer = allocator.Reallocate(Address(op, slots), op.Size);
                break;
            case OracleOperationKind.Memalign:
                pointer = allocator.AllocateAligned(op.Alignment, op.Size);
                break;
            case OracleOperationKind.AlignedAlloc:
                pointer = allocator.AlignedAlloc(op.Alignment, op.Size);
                break;
            case OracleOperationKind.PosixMemalign:
                var rc = allocator.PosixMemalign(ref pointer, op.Alignment, op.Size);
                if (rc != 0)
                {
                    pointer = 0;
                }

                value = (ulong)rc;
                break;
            case OracleOperationKind.Valloc:
                pointer = allocator.Valloc(op.Size);
                break;
            case OracleOperationKind.Pvalloc:
                pointer = allocator.Pvalloc(op.Size);
                break;
            default:
                isPointer = false;
                break;
        }

        if (isPointer)
        {
            slots[defined++] = pointer;
            if (pointer == 0)
            {
                return new OracleStep(index, op.Kind, OraclePointer.Null, 0, value, os.CurrentBreak - b0, null);
            }

            var word = os.ReadUInt64(pointer - 8);
            var where = (word & 2) != 0
                ? new OraclePointer(OraclePointerKind.Mmap, pointer & 4095)
                : pointer < b0 || pointer - b0 >= OutsideHeap
                    ? new OraclePointer(OraclePointerKind.Outside, pointer & 4095)
                    : new OraclePointer(OraclePointerKind.Heap, pointer - b0);
            return new OracleStep(index, op.Kind, where, word, value, os.CurrentBreak - b0, null);
        }

        switch (op.Kind)
        {
            case OracleOperationKind.Free:
                allocator.Free(Address(op, slots));
                break;
            case OracleOperationKind.UsableSize:
                value = allocator.UsableSize(Address(op, slots));
                break;
            case OracleOperationKind.Trim:
                value = (ulong)allocator.MallocTrim(op.Size);
                break;
            case OracleOperationKind.Mallopt:
                value = unchecked((ulong)(long)allocator.Mallopt(op.Parameter, (int)op.Value));
                break;
            case OracleOperationKind.Mallinfo2:
                var mi = allocator.Mallinfo2();
                mallinfo = new OracleMallinfo(mi.Arena, mi.Ordblks, mi.Smblks, mi.Hblks, mi.Hblkhd, mi.Usmblks, mi.Fsmblks, mi.Uordblks, mi.Fordblks, mi.Keepcost);
                break;
            case OracleOperationKind.MallocStats:
                text = allocator.MallocStats();
                value = 0;
                break;
            case OracleOperationKind.MallocInfo:
                text = allocator.MallocInfo();
                value = 0;
                break;
            case OracleOperationKind.Poke:
            case OracleOperationKind.Xor:
                var at = Address(op, slots);
                var bits = unchecked((ulong)op.Value);
                for (ulong k = 0; k < op.Size; k++)
                {
                    var b = (byte)(bits >> (int)(8 * k));
                    os.WriteByte(at + k, op.Kind == OracleOperationKind.Xor ? (byte)(os.ReadByte(at + k) ^ b) : b);
                }

                break;
            case OracleOperationKind.Fill:
                os.Fill(Address(op, slots), op.Size, (byte)op.Value);
                break;
            case OracleOperationKind.Peek:
                value = os.ReadUInt64(Address(op, slots));
                break;
            case OracleOperationKind.Block:
                var want = b0 + (ulong)op.Value;
                var mapped = os.Mmap(want, op.Size, Protection.None, MapFlags.PrivateAnonymous | MapFlags.FixedNoReplace);
                value = mapped.Succeeded && mapped.Value == want ? 0 : ulong.MaxValue;
                break;
            case OracleOperationKind.MemStat:
                OsStatistics stats = os.GetStatistics();
                return new OracleStep(index, op.Kind, OraclePointer.Null, 0, null, os.CurrentBreak - b0, null)
                {
                    ResidentBytes = stats.RssBytes,
                    MinorFaults = (ulong)stats.PageFaults,
                };
            case OracleOperationKind.Sbrk:
                var old = allocator.Sbrk(op.Value);
                value = old == ulong.MaxValue ? ulong.MaxValue : old - b0;
                break;
            default:
                throw new InvalidOperationException($"Unknown oracle operation kind {op.Kind}.");
        }

        return new OracleStep(index, op.Kind, OraclePointer.Null, 0, value, os.CurrentBreak - b0, mallinfo) { Text = text };
    }

    private static ulong Address(OracleOperation op, ulong[] slots)
        => op.Slot < 0 ? 0 : unchecked(slots[op.Slot] + (ulong)op.Delta);
}
