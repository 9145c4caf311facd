// Copyright (c) Allocators contributors. MIT License.

using System.Globalization;
using Allocators.Os;
using Allocators.Strategies.Glibc;

namespace Allocators.Workloads.Tests.GlibcTraces;

/// <summary>
/// A small, test-only replayer of trace-format v1 files through <see cref="GlibcAllocator"/> that compares every
/// result (heap chunks by address; mmapped chunks by size word), every <c># hdr=</c> word and every <c># brk</c> value.
/// </summary>
internal static class GlibcTraceReplayer
{
    internal sealed record Outcome(int Calls, int Matched, int Divergences, string? FirstDivergence, int BrkChecks, int HdrChecks);

    public static Outcome Replay(string path, int stopAfterDivergences = 1)
    {
        string[] lines = File.ReadAllLines(path);
        ulong heapStart = 0;
        foreach (string l in lines)
        {
            if (l.StartsWith("# heap-start ", StringComparison.Ordinal))
            {
                heapStart = ParseHex(l["# heap-start ".Length..].Trim());
                break;
            }
        }

        if (heapStart == 0)
        {
            throw new InvalidDataException($"{path}: no '# heap-start' line");
        }

        using var os = new SimulatedOs(new SimulatedOsOptions { BreakStart = heapStart });
        var glibc = new GlibcAllocator(os);
        var map = new Dictionary<ulong, ulong>();
        ulong expectedBrk = heapStart;
        int calls = 0;
        int matched = 0;
        int divergences = 0;
        int brkChecks = 0;
        int hdrChecks = 0;
        string? first = null;
        int pendingCallLine = -1;
        bool pendingOk = true;

        void Diverge(int lineNo, string what)
        {
            divergences++;
            pendingOk = false;
            first ??= $"{Path.GetFileName(path)}:{lineNo + 1}: {what}";
        }

        void CloseCall()
        {
            if (pendingCallLine < 0)
            {
                return;
            }

            brkChecks++;
            if (os.CurrentBreak != expectedBrk)
            {
                Diverge(pendingCallLine, $"break 0x{os.CurrentBreak:x}, recorded 0x{expectedBrk:x}");
            }

            if (pendingOk)
            {
                matched++;
            }

            pendingCallLine = -1;
        }

        for (int i = 0; i < lines.Length && divergences < stopAfterDivergences; i++)
        {
            string line = lines[i];
            if (line.StartsWith("# brk ", StringComparison.Ordinal))
            {
                expectedBrk = ParseHex(line["# brk ".Length..].Trim());
                continue;
            }

            string body = line;
            string? comment = null;
            int hash = line.IndexOf('#', StringComparison.Ordinal);
            if (hash >= 0)
            {
                body = line[..hash];
                comment = line[(hash + 1)..];
            }

            string[] f = body.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 2)
            {
                continue;
            }

            CloseCall();
            calls++;
            pendingCallLine = i;
            pendingOk = true;
            SimulatedThread.Set(int.Parse(f[0], CultureInfo.InvariantCulture));
            ulong recorded = 0;
            ulong sim = 0;
            bool returns = true;
            switch (f[1])
            {
                case "m":
                    recorded = ParsePtr(f[3]);
                    sim = glibc.Allocate(ulong.Parse(f[2], CultureInfo.InvariantCulture));
                    break;
                case "c":
                    recorded = ParsePtr(f[4]);
                    sim = glibc.AllocateZeroed(ulong.Parse(f[2], CultureInfo.InvariantCulture), ulong.Parse(f[3], CultureInfo.InvariantCulture));
                    break;
                case "a":
                    recorded = ParsePtr(f[4]);
                    sim = glibc.AllocateAligned(ulong.Parse(f[2], CultureInfo.InvariantCulture), ulong.Parse(f[3], CultureInfo.InvariantCulture));
                    break;
                case "r":
                {
                    recorded = ParsePtr(f[4]);
                    ulong old = Translate(map, ParsePtr(f[2]), path, i);
                    sim = glibc.Reallocate(old, ulong.Parse(f[3], CultureInfo.InvariantCulture));
                    if (ParsePtr(f[2]) != 0 && (sim != 0 || ulong.Parse(f[3], CultureInfo.InvariantCulture) == 0))
                    {
                        map.Remove(ParsePtr(f[2]));
                    }

                    break;
                }

                case "f":
                    returns = false;
                    ulong p = ParsePtr(f[2]);
                    glibc.Free(Translate(map, p, path, i));
                    map.Remove(p);
                    break;
                default:
                    throw new InvalidDataException($"{path}:{i + 1}: unknown call '{f[1]}'");
            }

            if (!returns)
            {
                continue;
            }

            if ((recorded == 0) != (sim == 0))
            {
                Diverge(i, $"result 0x{sim:x}, recorded 0x{recorded:x}");
                continue;
            }

            if (recorded == 0)
            {
                continue;
            }

            map[recorded] = sim;
            ulong? hdr = null;
            if (comment is not null)
            {
                foreach (string fact in comment.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (fact.StartsWith("hdr=", StringComparison.Ordinal))
                    {
                        hdr = ParseHex(fact[4..]);
                    }
                }
            }

            ulong simHdr = os.ReadUInt64(sim - 8);
            bool mmapped = hdr is ulong h ? (h & 2) != 0 : (simHdr & 2) != 0;
            if (!mmapped && sim != recorded)
            {
                Diverge(i, $"result offset 0x{sim - heapStart:x}, recorded 0x{recorded - heapStart:x}");
            }

            if (hdr is ulong rh)
            {
                hdrChecks++;
                if (rh != simHdr)
                {
                    Diverge(i, $"hdr 0x{simHdr:x}, recorded 0x{rh:x}");
                }
            }
        }

        CloseCall();
        return new Outcome(calls, matched, divergences, first, brkChecks, hdrChecks);
    }

    private static ulong Translate(Dictionary<ulong, ulong> map, ulong recorded, string path, int line)
    {
        if (recorded == 0)
        {
            return 0;
        }

        return map.TryGetValue(recorded, out ulong sim)
            ? sim
            : throw new InvalidDataException($"{path}:{line + 1}: pointer 0x{recorded:x} was never returned");
    }

    private static ulong ParsePtr(string s) => s is "(nil)" or "0" or "0x0" ? 0 : ParseHex(s);

    private static ulong ParseHex(string s)
        => ulong.Parse(s.StartsWith("0x", StringComparison.Ordinal) ? s[2..] : s, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
