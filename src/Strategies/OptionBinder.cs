// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;

namespace Allocators.Strategies;

/// <summary>
/// Binds <c>KEY=VALUE</c> pairs onto an options object by property name: case-insensitive, kebab-case or
/// snake_case accepted (<c>mmap-threshold-bytes</c> = <c>MmapThresholdBytes</c>); integers take binary
/// K/M/G/T suffixes (<c>128K</c> = 131072, <c>KiB</c> spelling too) and <c>0x</c> hexadecimal; booleans
/// (<c>true/false/yes/no/on/off/1/0</c>), enums by name (case-insensitive), nullable types
/// (<c>null</c> or an empty value clears them), strings and time spans.
/// </summary>
public static class OptionBinder
{
    /// <summary>Binds every pair onto <paramref name="target"/>, in order; later keys win.</summary>
    /// <typeparam name="T">The options type.</typeparam>
    /// <param name="target">The options object to set.</param>
    /// <param name="options">The pairs; <see langword="null"/> binds nothing.</param>
    /// <returns><paramref name="target"/>.</returns>
    /// <exception cref="OptionBindingException">A key names no settable property, or a value does not parse.</exception>
    public static T Bind<T>(T target, IEnumerable<KeyValuePair<string, string>>? options)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(target);
        if (options is null)
        {
            return target;
        }

        foreach (var pair in options)
        {
            var property = FindProperty(target.GetType(), pair.Key);
            object? value = ParseValue(property.PropertyType, pair.Key, pair.Value, target.GetType());
            property.SetValue(target, value);
        }

        return target;
    }

    /// <summary>Parses <c>KEY=VALUE</c> text into a pair.</summary>
    /// <param name="text">The text, e.g. <c>MmapThresholdBytes=256K</c>.</param>
    /// <returns>The key and the value, both trimmed.</returns>
    /// <exception cref="OptionBindingException">The text has no <c>=</c> or an empty key.</exception>
    public static KeyValuePair<string, string> ParsePair(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw new OptionBindingException(text, null, $"option '{text}' is not of the form KEY=VALUE");
        }

        return new KeyValuePair<string, string>(text[..equals].Trim(), text[(equals + 1)..].Trim());
    }

    /// <summary>The settable properties of an options type, in declaration order, with their types and current values.</summary>
    /// <param name="options">An options object (its current values are reported as the defaults).</param>
    /// <returns>Name, type name and formatted value of each property.</returns>
    public static IReadOnlyList<(string Name, string Type, string Value)> Describe(object options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return SettableProperties(options.GetType())
            .Select(p => (p.Name, TypeName(p.PropertyType), Format(p.GetValue(options))))
            .ToArray();
    }

    /// <summary>Parses an unsigned size with an optional binary suffix (K, M, G, T, with or without <c>iB</c>/<c>B</c>) or <c>0x</c> hexadecimal.</summary>
    /// <param name="text">The text.</param>
    /// <param name="value">The parsed number.</param>
    /// <returns>Whether the text parsed and fits in 64 bits.</returns>
    public static bool TryParseSize(string text, out ulong value)
    {
        value = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        string s = text.Trim().Replace("_", string.Empty, StringComparison.Ordinal);
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return ulong.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        }

        int shift = 0;
        string upper = s.ToUpperInvariant();
        foreach (string unit in new[] { "IB", "B" })
        {
            if (upper.Length > unit.Length && upper.EndsWith(unit, StringComparison.Ordinal) && char.IsLetter(upper[^(unit.Length + 1)]))
            {
                upper = upper[..^unit.Length];
                break;
            }
        }

        if (upper.Length > 1)
        {
            shift = upper[^1] switch
            {
                'K' => 10,
                'M' => 20,
                'G' => 30,
                'T' => 40,
                _ => 0,
            };
            if (shift != 0)
            {
                upper = upper[..^1];
            }
        }

        if (!ulong.TryParse(upper, NumberStyles.None, CultureInfo.InvariantCulture, out ulong number))
        {
            return false;
        }

        if (shift != 0 && number > (ulong.MaxValue >> shift))
        {
            return false;
        }

        value = number << shift;
        return true;
    }

    private static PropertyInfo FindProperty(Type type, string key)
    {
        string wanted = Normalize(key);
        var properties = SettableProperties(type);
        foreach (var property in properties)
        {
            if (string.Equals(Normalize(property.Name), wanted, StringComparison.Ordinal))
            {
                return property;
            }
        }

        throw new OptionBindingException(
            key,
            null,
            $"unknown option '{key}' for {type.Name}; valid keys: {string.Join(", ", properties.Select(p => p.Name))}");
    }

    private static PropertyInfo[] SettableProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0)
            .OrderBy(p => p.MetadataToken)
            .ToArray();

    private static string Normalize(string key) =>
        new(key.Where(c => c != '-' && c != '_' && !char.IsWhiteSpace(c)).Select(char.ToLowerInvariant).ToArray());

    private static object? ParseValue(Type type, string key, string text, Type owner)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null)
        {
            if (text.Length == 0 || string.Equals(text, "null", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            type = underlying;
        }

        if (type == typeof(string))
        {
            return text;
        }

        if (TryParse(type, text, out object? value))
        {
            return value;
        }

        throw new OptionBindingException(
            key,
            text,
            $"invalid value '{text}' for option '{key}' of {owner.Name}: expected {Expectation(type)} (valid keys: {string.Join(", ", SettableProperties(owner).Select(p => p.Name))})");
    }

    private static bool TryParse(Type type, string text, out object? value)
    {
        value = null;
        string s = text.Trim();
        if (type == typeof(bool))
        {
            switch (s.ToLowerInvariant())
            {
                case "true" or "yes" or "on" or "1":
                    value = true;
                    return true;
                case "false" or "no" or "off" or "0":
                    value = false;
                    return true;
                default:
                    return false;
            }
        }

        if (type.IsEnum)
        {
            if (s.Length == 0 || char.IsDigit(s[0]) || s[0] == '-')
            {
                return false;
            }

            if (Enum.TryParse(type, s.Replace("-", string.Empty, StringComparison.Ordinal), ignoreCase: true, out object? parsed))
            {
                value = parsed;
                return true;
            }

            return false;
        }

        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal))
        {
            if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d))
            {
                return false;
            }

            value = Convert.ChangeType(d, type, CultureInfo.InvariantCulture);
            return true;
        }

        if (type == typeof(TimeSpan))
        {
            if (TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out var span))
            {
                value = span;
                return true;
            }

            return false;
        }

        if (IsInteger(type))
        {
            bool negative = s.StartsWith('-');
            if (!TryParseSize(negative ? s[1..] : s, out ulong magnitude))
            {
                return false;
            }

            try
            {
                value = negative
                    ? Convert.ChangeType(-checked((long)magnitude), type, CultureInfo.InvariantCulture)
                    : Convert.ChangeType(magnitude, type, CultureInfo.InvariantCulture);
                return true;
            }
            catch (OverflowException)
            {
                return false;
            }
        }

        return false;
    }

    private static bool IsInteger(Type type) =>
        type == typeof(int) || type == typeof(long) || type == typeof(uint) || type == typeof(ulong)
        || type == typeof(short) || type == typeof(ushort) || type == typeof(byte) || type == typeof(sbyte);

    private static string Expectation(Type type)
    {
        if (type == typeof(bool))
        {
            return "true or false";
        }

        if (type.IsEnum)
        {
            return "one of " + string.Join(", ", Enum.GetNames(type));
        }

        if (IsInteger(type))
        {
            return $"an integer of type {type.Name} (K/M/G binary suffixes and 0x hex accepted)";
        }

        return "a value of type " + type.Name;
    }

    private static string TypeName(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        return underlying is null ? type.Name : underlying.Name + "?";
    }

    private static string Format(object? value) => value switch
    {
        null => "null",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
