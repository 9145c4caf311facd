// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.Linq;
using Allocators.Strategies.Buddy;
using Allocators.Strategies.Glibc;
using Allocators.Strategies.Mmap;
using Allocators.Strategies.Slab;

namespace Allocators.Strategies;

/// <summary>
/// The strategies by name (<c>glibc</c>, <c>buddy</c>, <c>slab</c>, <c>mmap</c>): which exist in this build, and
/// creating one on a simulated OS with <c>KEY=VALUE</c> options bound onto its options class
/// (see <see cref="OptionBinder"/>) and checked by its validator.
/// </summary>
public static class AllocatorCatalog
{
    private static readonly string[] s_names = ["glibc", "buddy", "slab", "mmap"];

    /// <summary>Every strategy name, available or not, in the catalog's order.</summary>
    public static IReadOnlyList<string> Names => s_names;

    /// <summary>Whether <paramref name="name"/> is a strategy of this build.</summary>
    /// <param name="name">A strategy name (case-insensitive).</param>
    /// <returns><see langword="true"/> when the strategy's type exists in this build.</returns>
    public static bool IsAvailable(string name) => CreateOptionsCore(Canonical(name)) is not null;

    /// <summary>Creates the options object of a strategy with its defaults (for listing and binding).</summary>
    /// <param name="name">A strategy name.</param>
    /// <returns>A fresh options object.</returns>
    /// <exception cref="ArgumentException">The name is not a strategy.</exception>
    /// <exception cref="NotSupportedException">The strategy is not available in this build.</exception>
    public static object CreateOptions(string name)
    {
        string canonical = RequireKnown(name);
        return CreateOptionsCore(canonical) ?? throw Unavailable(canonical);
    }

    /// <summary>Creates a strategy on <paramref name="os"/>.</summary>
    /// <param name="name">A strategy name (case-insensitive).</param>
    /// <param name="os">The simulated OS the strategy gets its memory from.</param>
    /// <param name="options">
    /// <c>KEY=VALUE</c> pairs bound onto the strategy's options class by property name (case-insensitive,
    /// kebab-case accepted; K/M/G binary suffixes; booleans; enums; nullable).
    /// </param>
    /// <returns>The allocator.</returns>
    /// <exception cref="ArgumentException">The name is not a strategy.</exception>
    /// <exception cref="NotSupportedException">The strategy is not available in this build.</exception>
    /// <exception cref="OptionBindingException">A key is unknown or a value does not parse.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The bound options fail the strategy's validator.</exception>
    public static IAllocator Create(string name, ISimulatedOs os, IEnumerable<KeyValuePair<string, string>>? options = null)
    {
        ArgumentNullException.ThrowIfNull(os);
        string canonical = RequireKnown(name);
        object bound = OptionBinder.Bind(CreateOptionsCore(canonical) ?? throw Unavailable(canonical), options);
        return CreateCore(canonical, os, bound) ?? throw Unavailable(canonical);
    }

    private static string Canonical(string name) => (name ?? string.Empty).Trim().ToLowerInvariant();

    private static string RequireKnown(string name)
    {
        string canonical = Canonical(name);
        if (!s_names.Contains(canonical, StringComparer.Ordinal))
        {
            throw new ArgumentException($"unknown strategy '{name}'; strategies: {string.Join(", ", s_names)}", nameof(name));
        }

        return canonical;
    }

    private static NotSupportedException Unavailable(string name) =>
        new($"strategy '{name}' is not available in this build (available: {AvailableList()})");

    private static string AvailableList()
    {
        var available = s_names.Where(n => CreateOptionsCore(n) is not null).ToArray();
        return available.Length == 0 ? "none" : string.Join(", ", available);
    }

    // One arm per strategy type; a name without an arm answers null (unavailable).
    private static object? CreateOptionsCore(string name) => name switch
    {
        "glibc" => new GlibcAllocatorOptions(),
        "buddy" => new BuddyAllocatorOptions(),
        "slab" => new SlabAllocatorOptions(),
        "mmap" => new MmapAllocatorOptions(),
        _ => null,
    };

    private static IAllocator? CreateCore(string name, ISimulatedOs os, object options) => options switch
    {
        GlibcAllocatorOptions glibc when name == "glibc" => new GlibcAllocator(os, glibc),
        BuddyAllocatorOptions buddy when name == "buddy" => new BuddyAllocator(os, buddy),
        SlabAllocatorOptions slab when name == "slab" => new SlabAllocator(os, slab),
        MmapAllocatorOptions mmap when name == "mmap" => new MmapAllocator(os, mmap),
        _ => null,
    };
}
