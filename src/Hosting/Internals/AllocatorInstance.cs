// Copyright (c) Allocators contributors. MIT License.

using System;
using Allocators.Os;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Allocators.Hosting;

/// <summary>
/// One allocator made by the container: its own <see cref="SimulatedOs"/> (so statistics, limits and fault injection
/// are per allocator), the strategy, the logging facade handed out as <see cref="IAllocator"/>, and its metrics
/// registration. A singleton; disposing it (with the container) unregisters the metrics and releases the process.
/// </summary>
internal sealed class AllocatorInstance : IDisposable
{
    private readonly AllocatorMetricsPublisher _metrics;

    private AllocatorInstance(string name, string strategyName, SimulatedOs os, IAllocator strategy, LoggingAllocator facade, AllocatorMetricsPublisher metrics)
    {
        Name = name;
        StrategyName = strategyName;
        Os = os;
        Strategy = strategy;
        Facade = facade;
        _metrics = metrics;
    }

    /// <summary>Gets the allocator name: the key, or <c>default</c>.</summary>
    public string Name { get; }

    /// <summary>Gets the strategy name.</summary>
    public string StrategyName { get; }

    /// <summary>Gets the allocator's own simulated process.</summary>
    public SimulatedOs Os { get; }

    /// <summary>Gets the strategy instance (the concrete type, for strategy-specific APIs).</summary>
    public IAllocator Strategy { get; }

    /// <summary>Gets the logging facade, the <see cref="IAllocator"/> consumers receive.</summary>
    public LoggingAllocator Facade { get; }

    public static AllocatorInstance Create<TOptions>(
        IServiceProvider services,
        AllocatorInstanceKey key,
        string displayName,
        Func<ISimulatedOs, TOptions, IAllocator> create)
        where TOptions : class
    {
        SimulatedOsOptions osOptions = services.GetRequiredService<IOptionsMonitor<SimulatedOsOptions>>().Get(key.OptionsName);
        TOptions options = services.GetRequiredService<IOptionsMonitor<TOptions>>().Get(key.OptionsName);
        ILogger logger = (services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger(AllocatorLog.Category);
        AllocatorMetricsPublisher metrics = services.GetRequiredService<AllocatorMetricsPublisher>();

        var os = new SimulatedOs(osOptions);
        IAllocator strategy;
        try
        {
            strategy = create(os, options);
        }
        catch
        {
            os.Dispose();
            throw;
        }

        if (logger.IsEnabled(LogLevel.Warning))
        {
            string strategyName = strategy.Name;
            os.SyscallObserver += record =>
            {
                if (record.Error != Errno.None)
                {
                    AllocatorLog.OsRefusal(logger, displayName, strategyName, record.ToStraceString());
                }
            };
        }

        AllocatorLog.Created(logger, displayName, strategy.Name, os.PageSize);
        var instance = new AllocatorInstance(displayName, strategy.Name, os, strategy, new LoggingAllocator(strategy, logger, displayName), metrics);
        metrics.Track(instance);
        return instance;
    }

    public void Dispose()
    {
        _metrics.Untrack(this);
        Os.Dispose();
    }
}
