// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using Allocators.Strategies.Buddy;
using Allocators.Strategies.Glibc;
using Allocators.Strategies.Mmap;
using Allocators.Strategies.Slab;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Allocators.Hosting;

/// <summary>The strategies configuration can name: how to bind a section to each one's options and register it. Adding a strategy is one entry.</summary>
internal static class StrategyCatalog
{
    private static readonly Dictionary<string, Entry> s_entries = new(StringComparer.OrdinalIgnoreCase)
    {
        ["glibc"] = new(
            (services, name, section) => services.Configure<GlibcAllocatorOptions>(name, section),
            (services, key) => key is null ? services.AddGlibcAllocator() : services.AddKeyedGlibcAllocator(key)),
        ["buddy"] = new(
            (services, name, section) => services.Configure<BuddyAllocatorOptions>(name, section),
            (services, key) => key is null ? services.AddBuddyAllocator() : services.AddKeyedBuddyAllocator(key)),
        ["slab"] = new(
            (services, name, section) => services.Configure<SlabAllocatorOptions>(name, section),
            (services, key) => key is null ? services.AddSlabAllocator() : services.AddKeyedSlabAllocator(key)),
        ["mmap"] = new(
            (services, name, section) => services.Configure<MmapAllocatorOptions>(name, section),
            (services, key) => key is null ? services.AddMmapAllocator() : services.AddKeyedMmapAllocator(key)),
    };

    /// <summary>Gets the accepted strategy names, for error messages.</summary>
    public static string Names => string.Join(", ", s_entries.Keys);

    public static bool TryGet(string strategy, [NotNullWhen(true)] out Entry? entry) => s_entries.TryGetValue(strategy, out entry);

    /// <summary>How to bind a section to a strategy's named options, and how to register the strategy (null key: the unkeyed default).</summary>
    internal sealed record Entry(Action<IServiceCollection, string, IConfiguration> Bind, Func<IServiceCollection, string?, IServiceCollection> Register);
}
