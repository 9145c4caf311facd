// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.Globalization;

namespace Allocators.Workloads.Oracle;

/// <summary>Reads the output of the oracle program (the syntax documented at the top of oracle.c).</summary>
internal static class OracleOutputParser
{
    /// <summary>Parses the program's standard output.</summary>
    /// <param name="script">The script that ran (gives each step its kind).</param>
    /// <param name="stdout">The program's standard output.</param>
    /// <param name="stderr">The program's standard error (glibc's abort message).</param>
    /// <param name="source">The result's source label.</param>
    /// <param name="initialBreak">The absolute initial break reported by the program.</param>
    /// <param name="glibcVersion">The glibc version reported by the program.</param>
    /// <returns>The result.</returns>
    /// <exception cref="FormatException">The output is not what the oracle program writes.</exception>
    public static OracleResult Parse(OracleScript script, string stdout, string stderr, string source, out ulong initialBreak, out string glibcVersion)
    {
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0 || !lines[0].StartsWith("oracle 1 ", StringComparison.Ordinal))
        {
            throw new FormatException($"The oracle program printed no header; stdout '{Excerpt(stdout)}', stderr '{Excerpt(stderr)}'.");
        }

        initialBreak = 0;
        glibcVersion = "unknown";
        foreach (var field in lines[0].Split(' '))
        {
            if (field.StartsWith("b0=", StringComparison.Ordinal))
            {
                initialBreak = Hex(field[3..], lines[0]);
            }
            else if (field.StartsWith("v=", StringComparison.Ordinal))
            {
                glibcVersion = field[2..];
            }
        }

        var steps = new List<OracleStep>(script.Operations.Count);
        ulong lastBreak = 0;
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i];
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields[0] == "end")
            {
                var end = new OracleResult(source, steps, Field(fields, "b=", line, Hex), null, null, null, initialBreak);
                return steps.Count == script.Operations.Count
                    ? end
                    : throw new FormatException($"The oracle program ran {steps.Count} of {script.Operations.Count} operations: '{line}'.");
            }

            if (fields[0] == "signal")
            {
                var signal = int.Parse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture);
                var op = Field(fields, "op=", line, (t, _) => ulong.Parse(t, NumberStyles.None, CultureInfo.InvariantCulture));
                var message = stderr.Trim();
                return new OracleResult(source, steps, lastBreak, (int)op, signal, message.Length == 0 ? null : message, initialBreak) { Detail = stderr };
            }

            var index = int.Parse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture);
            if (index != steps.Count || index >= script.Operations.Count)
            {
                throw new FormatException($"The oracle program printed operation {index} where {steps.Count} was expected: '{line}'.");
            }

            var kind = script.Operations[index].Kind;
            var pointer = OraclePointer.Null;
            ulong sizeWord = 0;
            ulong? value = null;
            OracleMallinfo? mallinfo = null;
            string? text = null;
            ulong? resident = null;
            ulong? faults = null;
            for (var f = 1; f < fields.Length; f++)
            {
                var field = fields[f];
                switch (field[..2])
                {
                    case "p=":
                        pointer = field[2] switch
                        {
                            '0' => OraclePointer.Null,
                            'h' => new OraclePointer(OraclePointerKind.Heap, Hex(field[3..], line)),
                            'm' => new OraclePointer(OraclePointerKind.Mmap, Hex(field[3..], line)),
                            'x' => new OraclePointer(OraclePointerKind.Outside, Hex(field[3..], line)),
                            _ => throw new FormatException($"Unknown pointer form in '{line}'."),
                        };
                        break;
                    case "s=":
                        sizeWord = Hex(field[2..], line);
                        break;
                    case "r=":
                        value = kind is OracleOperationKind.Peek or OracleOperationKind.Sbrk && field != "r=-1"
                            ? Hex(field[2..], line)
                            : Decimal(field[2..], line);
                        break;
                    case "b=":
                        lastBreak = Hex(field[2..], line);
                        break;
                    case "t=":
                        text = System.Text.Encoding.UTF8.GetString(Convert.FromHexString(field[2..]));
                        break;
                    case "mi":
                        mallinfo = ParseMallinfo(field[3..], line);
                        break;
                    case "ms":
                        string[] memory = field[3..].Split(',');
                        if (memory.Length != 2)
                        {
                            throw new FormatException($"memstat needs 2 fields: '{line}'.");
                        }

                        resident = Decimal(memory[0], line);
                        faults = Decimal(memory[1], line);
                        break;
                    default:
                        throw new FormatException($"Unknown field '{field}' in '{line}'.");
                }
            }

            steps.Add(new OracleStep(index, kind, pointer, sizeWord, value, lastBreak, mallinfo) { Text = text, ResidentBytes = resident, MinorFaults = faults });
        }

        throw new FormatException(
            $"The oracle program stopped after {steps.Count} of {script.Operations.Count} operations without reporting why; stderr '{Excerpt(stderr)}'.");
    }

    private static OracleMallinfo ParseMallinfo(string text, string line)
    {
        var parts = text.Split(',');
        if (parts.Length != 10)
        {
            throw new FormatException($"mallinfo2 needs 10 fields: '{line}'.");
        }

        var v = new ulong[10];
        for (var i = 0; i < 10; i++)
        {
            v[i] = ulong.Parse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture);
        }

        return new OracleMallinfo(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]);
    }

    private static ulong Field(string[] fields, string prefix, string line, Func<string, string, ulong> parse)
    {
        foreach (var field in fields)
        {
            if (field.StartsWith(prefix, StringComparison.Ordinal))
            {
                return parse(field[prefix.Length..], line);
            }
        }

        throw new FormatException($"Missing '{prefix}' in '{line}'.");
    }

    /// <summary>A decimal that is unsigned (usable sizes use all 64 bits) or negative (mallopt, sbrk); negatives become two's complement.</summary>
    private static ulong Decimal(string text, string line)
    {
        if (text.StartsWith('-'))
        {
            return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var negative)
                ? unchecked((ulong)negative)
                : throw new FormatException($"'{text}' is not a decimal in '{line}'.");
        }

        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new FormatException($"'{text}' is not a decimal in '{line}'.");
    }

    private static ulong Hex(string text, string line)
        => ulong.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new FormatException($"'{text}' is not hexadecimal in '{line}'.");

    private static string Excerpt(string text) => text.Length <= 400 ? text.Trim() : text[..400].Trim() + "…";
}
