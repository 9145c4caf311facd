// Copyright (c) Allocators contributors. MIT License.

using System;
using Allocators.Strategies.Slab;
using Microsoft.Extensions.DependencyInjection;

namespace Allocators.Hosting;

/// <summary>The slab strategy's registrations.</summary>
public static partial class AllocatorServiceCollectionExtensions
{
    /// <summary>
    /// Registers a SlabAllocator as the default <see cref="IAllocator"/> (and as <see cref="SlabAllocator"/>), configured by the
    /// unnamed <see cref="SlabAllocatorOptions"/> and validated when the host starts. A user's own <see cref="IAllocator"/> is not replaced.
    /// </summary>
    /// <param name="services">The <see cref="IServiceCollection"/> to add services to.</param>
    /// <param name="configure">An optional action to configure the <see cref="SlabAllocatorOptions"/>.</param>
    /// <returns>The <see cref="IServiceCollection"/> so that additional calls can be chained.</returns>
    /// <remarks>The allocator and its simulated process are singletons.</remarks>
    public static IServiceCollection AddSlabAllocator(this IServiceCollection services, Action<SlabAllocatorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        return AllocatorRegistration.Add<SlabAllocatorOptions, SlabAllocatorOptionsValidator, SlabAllocator>(
            services, null, "slab", configure, (os, options) => new SlabAllocator(os, options));
    }

    /// <summary>
    /// Registers a SlabAllocator as a keyed <see cref="IAllocator"/> (and <see cref="SlabAllocator"/>) with key
    /// <paramref name="name"/>, configured by the <see cref="SlabAllocatorOptions"/> named <paramref name="name"/> and validated
    /// when the host starts. Resolve it with <c>[FromKeyedServices("name")] IAllocator</c>.
    /// </summary>
    /// <param name="services">The <see cref="IServiceCollection"/> to add services to.</param>
    /// <param name="name">The service key, which is also the options name.</param>
    /// <param name="configure">An optional action to configure the named <see cref="SlabAllocatorOptions"/>.</param>
    /// <returns>The <see cref="IServiceCollection"/> so that additional calls can be chained.</returns>
    /// <remarks>The allocator and its simulated process are singletons; a repeated name keeps the first registration while its configure actions accumulate.</remarks>
    public static IServiceCollection AddKeyedSlabAllocator(this IServiceCollection services, string name, Action<SlabAllocatorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return AllocatorRegistration.Add<SlabAllocatorOptions, SlabAllocatorOptionsValidator, SlabAllocator>(
            services, name, "slab", configure, (os, options) => new SlabAllocator(os, options));
    }
}
