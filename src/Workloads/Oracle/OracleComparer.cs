// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Allocators.Workloads.Oracle;

/// <summary>
/// Compares two <see cref="OracleResult"/>s of the same script operation by operation: pointer (heap offset, or
/// mmapped with its page offset), chunk size word, return value, mallinfo2 fields, break after the operation,
/// and where a side stopped (the abort message and operation).
/// </summary>
public static class OracleComparer
{
    private const int ContextOperations = 4;

    /// <summary>Finds the first difference between two runs of <paramref name="script"/>.</summary>
    /// <param name="script">The script both results come from.</param>
    /// <param name="expected">The reference (normally the real glibc).</param>
    /// <param name="actual">The result under test (normally the simulation).</param>
    /// <returns>The comparison; <see cref="OracleComparison.Description"/> names the operation, the field and both values.</returns>
    public static OracleComparison Compare(OracleScript script, OracleResult expected, OracleResult actual)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        var common = Math.Min(expected.Steps.Count, actual.Steps.Count);
        for (var i = 0; i < common; i++)
        {
            var problem = Difference(expected.Steps[i], actual.Steps[i]);
            if (problem is not null)
            {
                return Mismatch(script, expected, actual, i, problem);
            }
        }

        if (expected.StoppedAtOperation != actual.StoppedAtOperation)
        {
            var at = Math.Min(expected.StoppedAtOperation ?? int.MaxValue, actual.StoppedAtOperation ?? int.MaxValue);
            return Mismatch(script, expected, actual, at, $"{Stop(expected)} but {Stop(actual)}");
        }

        if (expected.StoppedAtOperation is { } op)
        {
            if (expected.Signal != actual.Signal || !string.Equals(expected.AbortMessage, actual.AbortMessage, StringComparison.Ordinal))
            {
                return Mismatch(script, expected, actual, op, $"{Stop(expected)} but {Stop(actual)}");
            }

            return new OracleComparison(true, null, "match");
        }

        if (expected.FinalBreak != actual.FinalBreak)
        {
            return Mismatch(script, expected, actual, script.Operations.Count - 1,
                string.Create(CultureInfo.InvariantCulture, $"final break: expected 0x{expected.FinalBreak:x}, actual 0x{actual.FinalBreak:x}"));
        }

        return new OracleComparison(true, null, "match");
    }

    private static string? Difference(OracleStep e, OracleStep a)
    {
        var c = CultureInfo.InvariantCulture;
        var problems = new List<string>();
        if (e.Pointer != a.Pointer)
        {
            problems.Add(string.Create(c, $"pointer: expected {e.Pointer}, actual {a.Pointer}"));
        }

        if (e.SizeWord != a.SizeWord)
        {
            problems.Add(string.Create(c, $"size word: expected 0x{e.SizeWord:x}, actual 0x{a.SizeWord:x}"));
        }

        if (e.ReturnValue != a.ReturnValue)
        {
            problems.Add(string.Create(c, $"return value: expected {Value(e.ReturnValue)}, actual {Value(a.ReturnValue)}"));
        }

        if (e.Mallinfo != a.Mallinfo)
        {
            problems.Add(string.Create(c, $"mallinfo2: expected {e.Mallinfo}, actual {a.Mallinfo}"));
        }

        if (!string.Equals(e.Text, a.Text, StringComparison.Ordinal))
        {
            problems.Add(TextDifference(e.Text, a.Text));
        }

        if (e.Break != a.Break)
        {
            problems.Add(string.Create(c, $"break: expected 0x{e.Break:x}, actual 0x{a.Break:x}"));
        }

        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    private static string TextDifference(string? expected, string? actual)
    {
        if (expected is null || actual is null)
        {
            return $"text: expected {(expected is null ? "none" : "text")}, actual {(actual is null ? "none" : "text")}";
        }

        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (var i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            var el = i < e.Length ? e[i] : "(missing)";
            var al = i < a.Length ? a[i] : "(missing)";
            if (!string.Equals(el, al, StringComparison.Ordinal))
            {
                return string.Create(CultureInfo.InvariantCulture, $"text line {i + 1}: expected '{el}', actual '{al}'");
            }
        }

        return "text differs";
    }

    private static string Value(ulong? value) => value is { } v ? string.Create(CultureInfo.InvariantCulture, $"{(long)v} (0x{v:x})") : "none";

    private static string Stop(OracleResult r) => r.StoppedAtOperation is { } op
        ? string.Create(CultureInfo.InvariantCulture, $"{r.Source} stopped at operation {op} with signal {r.Signal} '{r.AbortMessage}'")
        : $"{r.Source} completed every operation";

    private static OracleComparison Mismatch(OracleScript script, OracleResult expected, OracleResult actual, int index, string problem)
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        var opText = index >= 0 && index < script.Operations.Count ? script.Operations[index].ToString() : "(end)";
        sb.Append(c, $"First mismatch at operation {index} ({opText}): {problem}.\n");
        sb.Append(c, $"Context (expected = {expected.Source}, actual = {actual.Source}):\n");
        var first = Math.Max(0, index - ContextOperations);
        var last = Math.Min(script.Operations.Count - 1, index + 1);
        for (var i = first; i <= last; i++)
        {
            sb.Append(c, $"{(i == index ? ">" : " ")} {i,5}: {script.Operations[i],-28} expected {StepText(expected, i),-40} actual {StepText(actual, i)}\n");
        }

        return new OracleComparison(false, index, sb.ToString());
    }

    private static string StepText(OracleResult r, int i)
    {
        if (i < r.Steps.Count)
        {
            var text = r.Steps[i].ToString();
            var space = text.IndexOf(' ', StringComparison.Ordinal);
            return space < 0 ? text : text[(space + 1)..];
        }

        return r.StoppedAtOperation == i ? string.Create(CultureInfo.InvariantCulture, $"signal {r.Signal}: {r.AbortMessage}") : "-";
    }
}
