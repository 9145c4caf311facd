// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Globalization;

namespace Allocators.Cli;

/// <summary>Human formatting of numbers: offsets and addresses in hex, byte counts with a binary unit.</summary>
internal static class NumberFormat
{
    public static string Format(string key, object? value) => value switch
    {
        null => "—",
        bool b => b ? "yes" : "no",
        ulong u when IsAddress(key) => "0x" + u.ToString("x", CultureInfo.InvariantCulture),
        ulong u when IsBytes(key) => Bytes(u),
        ulong u => u.ToString("N0", CultureInfo.InvariantCulture),
        long l => l.ToString("N0", CultureInfo.InvariantCulture),
        int i => i.ToString("N0", CultureInfo.InvariantCulture),
        double d => d.ToString("0.###", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    public static string Bytes(ulong value)
    {
        string exact = value.ToString("N0", CultureInfo.InvariantCulture);
        if (value < 1024)
        {
            return exact;
        }

        string[] units = ["KiB", "MiB", "GiB", "TiB"];
        double scaled = value;
        int unit = -1;
        while (scaled >= 1024 && unit < units.Length - 1)
        {
            scaled /= 1024;
            unit++;
        }

        return $"{exact} ({scaled.ToString("0.##", CultureInfo.InvariantCulture)} {units[unit]})";
    }

    private static bool IsAddress(string key) =>
        key.Contains("Offset", StringComparison.OrdinalIgnoreCase) || key.Contains("address", StringComparison.OrdinalIgnoreCase);

    private static bool IsBytes(string key) =>
        key.Contains("Bytes", StringComparison.Ordinal) || key.StartsWith("vsz", StringComparison.Ordinal)
        || key.StartsWith("rss", StringComparison.Ordinal) || key.Contains("Vsz", StringComparison.Ordinal) || key.Contains("Rss", StringComparison.Ordinal);
}
