// Copyright (c) Allocators contributors. MIT License.

using System;
using Allocators.Strategies.Buddy;
using Microsoft.Extensions.DependencyInjection;

namespace Allocators.Hosting;

/// <summary>The buddy strategy's registrations.</summary>
public static partial class AllocatorServiceCollectionExtensions
{
    /// <summary>
    /// Registers a BuddyAllocator as the default <see cref="IAllocator"/> (and as <see cref="BuddyAllocator"/>), configured by the
    /// unnamed <see cref="BuddyAllocatorOptions"/> and validated when the host starts. A user's own <see cref="IAllocator"/> is not replaced.
    /// </summary>
    /// <param name="services">The <see cref="IServiceCollection"/> to add services to.</param>
    /// <param name="configure">An optional action to configure the <see cref="BuddyAllocatorOptions"/>.</param>
    /// <returns>The <see cref="IServiceCollection"/> so that additional calls can be chained.</returns>
    /// <remarks>The allocator and its simulated process are singletons.</remarks>
    public static IServiceCollection AddBuddyAllocator(this IServiceCollection services, Action<BuddyAllocatorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        return AllocatorRegistration.Add<BuddyAllocatorOptions, BuddyAllocatorOptionsValidator, BuddyAllocator>(
            services, null, "buddy", configure, (os, options) => new BuddyAllocator(os, options));
    }

    /// <summary>
    /// Registers a BuddyAllocator as a keyed <see cref="IAllocator"/> (and <see cref="BuddyAllocator"/>) with key
    /// <paramref name="name"/>, configured by the <see cref="BuddyAllocatorOptions"/> named <paramref name="name"/> and validated
    /// when the host starts. Resolve it with <c>[FromKeyedServices("name")] IAllocator</c>.
    /// </summary>
    /// <param name="services">The <see cref="IServiceCollection"/> to add services to.</param>
    /// <param name="name">The service key, which is also the options name.</param>
    /// <param name="configure">An optional action to configure the named <see cref="BuddyAllocatorOptions"/>.</param>
    /// <returns>The <see cref="IServiceCollection"/> so that additional calls can be chained.</returns>
    /// <remarks>The allocator and its simulated process are singletons; a repeated name keeps the first registration while its configure actions accumulate.</remarks>
    public static IServiceCollection AddKeyedBuddyAllocator(this IServiceCollection services, string name, Action<BuddyAllocatorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return AllocatorRegistration.Add<BuddyAllocatorOptions, BuddyAllocatorOptionsValidator, BuddyAllocator>(
            services, name, "buddy", configure, (os, options) => new BuddyAllocator(os, options));
    }
}
