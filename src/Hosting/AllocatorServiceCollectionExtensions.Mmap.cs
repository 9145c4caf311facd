// Copyright (c) Allocators contributors. MIT License.

using System;
using Allocators.Strategies.Mmap;
using Microsoft.Extensions.DependencyInjection;

namespace Allocators.Hosting;

/// <summary>The mmap strategy's registrations.</summary>
public static partial class AllocatorServiceCollectionExtensions
{
    /// <summary>
    /// Registers a MmapAllocator as the default <see cref="IAllocator"/> (and as <see cref="MmapAllocator"/>), configured by the
    /// unnamed <see cref="MmapAllocatorOptions"/> and validated when the host starts. A user's own <see cref="IAllocator"/> is not replaced.
    /// </summary>
    /// <param name="services">The <see cref="IServiceCollection"/> to add services to.</param>
    /// <param name="configure">An optional action to configure the <see cref="MmapAllocatorOptions"/>.</param>
    /// <returns>The <see cref="IServiceCollection"/> so that additional calls can be chained.</returns>
    /// <remarks>The allocator and its simulated process are singletons.</remarks>
    public static IServiceCollection AddMmapAllocator(this IServiceCollection services, Action<MmapAllocatorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        return AllocatorRegistration.Add<MmapAllocatorOptions, MmapAllocatorOptionsValidator, MmapAllocator>(
            services, null, "mmap", configure, (os, options) => new MmapAllocator(os, options));
    }

    /// <summary>
    /// Registers a MmapAllocator as a keyed <see cref="IAllocator"/> (and <see cref="MmapAllocator"/>) with key
    /// <paramref name="name"/>, configured by the <see cref="MmapAllocatorOptions"/> named <paramref name="name"/> and validated
    /// when the host starts. Resolve it with <c>[FromKeyedServices("name")] IAllocator</c>.
    /// </summary>
    /// <param name="services">The <see cref="IServiceCollection"/> to add services to.</param>
    /// <param name="name">The service key, which is also the options name.</param>
    /// <param name="configure">An optional action to configure the named <see cref="MmapAllocatorOptions"/>.</param>
    /// <returns>The <see cref="IServiceCollection"/> so that additional calls can be chained.</returns>
    /// <remarks>The allocator and its simulated process are singletons; a repeated name keeps the first registration while its configure actions accumulate.</remarks>
    public static IServiceCollection AddKeyedMmapAllocator(this IServiceCollection services, string name, Action<MmapAllocatorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return AllocatorRegistration.Add<MmapAllocatorOptions, MmapAllocatorOptionsValidator, MmapAllocator>(
            services, name, "mmap", configure, (os, options) => new MmapAllocator(os, options));
    }
}
