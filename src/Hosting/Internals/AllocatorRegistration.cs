// Copyright (c) Allocators contributors. MIT License.

using System;
using Allocators.Os;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Allocators.Hosting;

/// <summary>The one registration routine every <c>Add{Strategy}Allocator</c> and <c>AddKeyed{Strategy}Allocator</c> calls.</summary>
internal static class AllocatorRegistration
{
    /// <summary>The name of the unkeyed allocator in configuration, metrics and logs.</summary>
    public const string DefaultAllocatorName = "default";

    /// <summary>
    /// Registers one allocator: validated named options (<typeparamref name="TOptions"/> and <see cref="SimulatedOsOptions"/>,
    /// both named <paramref name="key"/>, or <see cref="Options.DefaultName"/> for the unkeyed one), the internal
    /// instance holding its own simulated process, and the <see cref="IAllocator"/> and <typeparamref name="TAllocator"/>
    /// services (keyed by <paramref name="key"/> when given). Every service uses TryAdd: the first registration wins,
    /// and configure actions accumulate as named options do.
    /// </summary>
    public static IServiceCollection Add<TOptions, TValidator, TAllocator>(
        IServiceCollection services,
        string? key,
        string strategy,
        Action<TOptions>? configure,
        Func<ISimulatedOs, TOptions, TAllocator> create)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
        where TAllocator : class, IAllocator
    {
        services.AddAllocators();
        string optionsName = key ?? Options.DefaultName;
        services.AddOptionsWithValidateOnStart<TOptions, TValidator>(optionsName);
        services.AddOptionsWithValidateOnStart<SimulatedOsOptions>(optionsName);
        if (configure is not null)
        {
            services.Configure(optionsName, configure);
        }

        var instanceKey = new AllocatorInstanceKey(strategy, optionsName);
        string displayName = key ?? DefaultAllocatorName;
        services.TryAddKeyedSingleton(
            instanceKey,
            (sp, _) => AllocatorInstance.Create<TOptions>(sp, instanceKey, displayName, (os, options) => create(os, options)));

        if (key is null)
        {
            services.TryAddSingleton<IAllocator>(sp => sp.GetRequiredKeyedService<AllocatorInstance>(instanceKey).Facade);
            services.TryAddSingleton(sp => (TAllocator)sp.GetRequiredKeyedService<AllocatorInstance>(instanceKey).Strategy);
        }
        else
        {
            services.TryAddKeyedSingleton<IAllocator>(key, (sp, _) => sp.GetRequiredKeyedService<AllocatorInstance>(instanceKey).Facade);
            services.TryAddKeyedSingleton(key, (sp, _) => (TAllocator)sp.GetRequiredKeyedService<AllocatorInstance>(instanceKey).Strategy);
        }

        return services;
    }
}
