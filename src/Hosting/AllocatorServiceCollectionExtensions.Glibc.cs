// Copyright (c) Allocators contributors. MIT License.

using System;
using Allocators.Strategies.Glibc;
using Microsoft.Extensions.DependencyInjection;

namespace Allocators.Hosting;

/// <summary>The glibc strategy's registrations.</summary>
public static partial class AllocatorServiceCollectionExtensions
{
    /// <summary>
    /// Registers a GlibcAllocator as the default <see cref="IAllocator"/> (and as <see cref="GlibcAllocator"/>), configured by the
    /// unnamed <see cref="GlibcAllocatorOptions"/> and validated when the host starts. A user's own <see cref="IAllocator"/> is not replaced.
    /// </summary>
    /// <param name="services">The <see cref="IServiceCollection"/> to add services to.</param>
    /// <param name="configure">An optional action to configure the <see cref="GlibcAllocatorOptions"/>.</param>
    /// <returns>The <see cref="IServiceCollection"/> so that additional calls can be chained.</returns>
    /// <remarks>The allocator and its simulated process are singletons.</remarks>
    public static IServiceCollection AddGlibcAllocator(this IServiceCollection services, Action<GlibcAllocatorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        return AllocatorRegistration.Add<GlibcAllocatorOptions, GlibcAllocatorOptionsValidator, GlibcAllocator>(
            services, null, "glibc", configure, (os, options) => new GlibcAllocator(os, options));
    }

    /// <summary>
    /// Registers a GlibcAllocator as a keyed <see cref="IAllocator"/> (and <see cref="GlibcAllocator"/>) with key
    /// <paramref name="name"/>, configured by the <see cref="GlibcAllocatorOptions"/> named <paramref name="name"/> and validated
    /// when the host starts. Resolve it with <c>[FromKeyedServices("name")] IAllocator</c>.
    /// </summary>
    /// <param name="services">The <see cref="IServiceCollection"/> to add services to.</param>
    /// <param name="name">The service key, which is also the options name.</param>
    /// <param name="configure">An optional action to configure the named <see cref="GlibcAllocatorOptions"/>.</param>
    /// <returns>The <see cref="IServiceCollection"/> so that additional calls can be chained.</returns>
    /// <remarks>The allocator and its simulated process are singletons; a repeated name keeps the first registration while its configure actions accumulate.</remarks>
    public static IServiceCollection AddKeyedGlibcAllocator(this IServiceCollection services, string name, Action<GlibcAllocatorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return AllocatorRegistration.Add<GlibcAllocatorOptions, GlibcAllocatorOptionsValidator, GlibcAllocator>(
            services, name, "glibc", configure, (os, options) => new GlibcAllocator(os, options));
    }
}
