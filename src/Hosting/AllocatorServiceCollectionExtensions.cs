// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Diagnostics.Metrics;
using Allocators.Os;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Allocators.Hosting;

/// <summary>
/// Registers allocators with an <see cref="IServiceCollection"/>, the way <c>AddMemoryCache</c> registers a cache:
/// validated named options, singletons, TryAdd so a user's own registrations win.
/// </summary>
/// <remarks>
/// Each allocator the container creates runs on its own <see cref="SimulatedOs"/>, configured by the
/// <see cref="SimulatedOsOptions"/> of the same name (the allocator's key, or <see cref="Options.DefaultName"/> for the
/// unkeyed one), so limits, fault injection and statistics are per allocator; the container disposes the process with
/// itself. The <see cref="IAllocator"/> handed out logs integrity errors and invalid pointers through
/// <c>ILogger</c> (category <c>Allocators.Hosting</c>) and, when warnings are enabled, every system call the OS
/// refuses (through <see cref="ISimulatedOs.SyscallObserver"/>); the concrete strategy type is registered too, under
/// the same key, for strategy-specific calls such as <c>SlabAllocator.CreateCache</c>.
/// </remarks>
public static partial class AllocatorServiceCollectionExtensions
{
    private const string StrategyKey = "Strategy";
    private const string OsKey = "Os";

    /// <summary>
    /// Registers the shared pieces: options, the <see cref="SimulatedOsOptions"/> validator and the metrics publisher
    /// (meter <see cref="AllocatorMetrics.MeterName"/>). Calling it more than once is harmless.
    /// </summary>
    /// <param name="services">The <see cref="IServiceCollection"/> to add services to.</param>
    /// <returns>The <see cref="IServiceCollection"/> so that additional calls can be chained.</returns>
    /// <remarks>The metrics publisher is a singleton.</remarks>
    public static IServiceCollection AddAllocators(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SimulatedOsOptions>, SimulatedOsOptionsValidator>());
        services.TryAddSingleton(sp => new AllocatorMetricsPublisher(sp.GetService<IMeterFactory>()));
        return services;
    }

    /// <summary>
    /// Registers the allocators a configuration section describes: one child section per allocator, whose
    /// <c>Strategy</c> key selects <c>glibc</c>, <c>buddy</c>, <c>slab</c> or <c>mmap</c>, whose other keys bind that
    /// strategy's options, and whose <c>Os</c> child binds its <see cref="SimulatedOsOptions"/>. The child named
    /// <c>default</c> becomes the unkeyed <see cref="IAllocator"/>; every other child a keyed allocator with the child's
    /// name as key and options name.
    /// </summary>
    /// <param name="services">The <see cref="IServiceCollection"/> to add services to.</param>
    /// <param name="configuration">The section, for example <c>configuration.GetSection("Allocators")</c>.</param>
    /// <returns>The <see cref="IServiceCollection"/> so that additional calls can be chained.</returns>
    /// <exception cref="ArgumentException">A child has no <c>Strategy</c> key or names an unknown strategy; the message names the section.</exception>
    /// <example>
    /// <code>
    /// "Allocators": {
    ///   "default": { "Strategy": "glibc", "MmapThresholdBytes": 65536 },
    ///   "objects": { "Strategy": "slab", "MagazineSize": 16, "Os": { "AddressSpaceLimitBytes": 268435456 } }
    /// }
    /// </code>
    /// </example>
    public static IServiceCollection AddAllocators(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddAllocators();
        foreach (IConfigurationSection child in configuration.GetChildren())
        {
            string? strategy = child[StrategyKey];
            if (string.IsNullOrWhiteSpace(strategy))
            {
                throw new ArgumentException(
                    $"AddAllocators: allocator section '{child.Path}' has no '{StrategyKey}' key (expected one of {StrategyCatalog.Names}).",
                    nameof(configuration));
            }

            if (!StrategyCatalog.TryGet(strategy, out StrategyCatalog.Entry? entry))
            {
                throw new ArgumentException(
                    $"AddAllocators: allocator section '{child.Path}' names an unknown strategy (key={child.Path}:{StrategyKey}, value={strategy}); expected one of {StrategyCatalog.Names}.",
                    nameof(configuration));
            }

            bool isDefault = string.Equals(child.Key, AllocatorRegistration.DefaultAllocatorName, StringComparison.OrdinalIgnoreCase);
            string optionsName = isDefault ? Options.DefaultName : child.Key;
            entry.Bind(services, optionsName, child);
            IConfigurationSection os = child.GetSection(OsKey);
            if (os.Exists())
            {
                services.Configure<SimulatedOsOptions>(optionsName, os);
            }

            entry.Register(services, isDefault ? null : child.Key);
        }

        return services;
    }
}
