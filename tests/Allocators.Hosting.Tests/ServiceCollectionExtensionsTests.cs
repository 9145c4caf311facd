// Copyright (c) Allocators contributors. MIT License.

using Allocators.Os;
using Allocators.Strategies.Buddy;
using Allocators.Strategies.Glibc;
using Allocators.Strategies.Mmap;
using Allocators.Strategies.Slab;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Allocators.Hosting.Tests;

public sealed class ServiceCollectionExtensionsTests
{
    public static TheoryData<string> Strategies => new() { "glibc", "buddy", "slab", "mmap" };

    [Fact]
    public void AddAllocators_CalledTwice_RegistersSharedPiecesOnce()
    {
        var services = new ServiceCollection();
        services.AddAllocators();
        int count = services.Count;
        services.AddAllocators();
        Assert.Equal(count, services.Count);
        Assert.Single(services, d => d.ServiceType == typeof(AllocatorMetricsPublisher));
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<SimulatedOsOptions>));
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void AddStrategyAllocator_ReturnsSameCollection(string strategy)
    {
        var services = new ServiceCollection();
        Assert.Same(services, AddDefault(services, strategy));
        Assert.Same(services, AddKeyed(services, strategy, "named"));
        Assert.Same(services, services.AddAllocators());
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void AddStrategyAllocator_RegistersAllocatorAsSingleton(string strategy)
    {
        var services = new ServiceCollection();
        AddDefault(services, strategy);
        ServiceDescriptor descriptor = Assert.Single(services, d => d.ServiceType == typeof(IAllocator) && !d.IsKeyedService);
        Assert.Equal(ServiceLifetime.Singleton, descriptor.Lifetime);

        using ServiceProvider provider = services.BuildServiceProvider(validateScopes: true);
        var first = provider.GetRequiredService<IAllocator>();
        Assert.Same(first, provider.GetRequiredService<IAllocator>());
        using (IServiceScope scope = provider.CreateScope())
        {
            Assert.Same(first, scope.ServiceProvider.GetRequiredService<IAllocator>());
        }

        Assert.Equal(strategy, first.Name);
        ulong a = first.Allocate(100);
        Assert.NotEqual(0UL, a);
        first.Free(a);
    }

    [Fact]
    public void AddStrategyAllocator_ConcreteTypeIsTheSameStrategyInstance()
    {
        var services = new ServiceCollection().AddSlabAllocator();
        using ServiceProvider provider = services.BuildServiceProvider();
        var facade = provider.GetRequiredService<IAllocator>();
        var slab = provider.GetRequiredService<SlabAllocator>();
        Assert.Same(slab.Os, facade.Os);
        ulong a = facade.Allocate(64);
        Assert.Equal(1, slab.GetStatistics().LiveBlocks);
        facade.Free(a);
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void ResolvedAllocator_WalksItsHeapThroughTheFacade(string strategy)
    {
        var services = AddDefault(new ServiceCollection(), strategy);
        using ServiceProvider provider = services.BuildServiceProvider();
        var allocator = provider.GetRequiredService<IAllocator>();
        ulong a = allocator.Allocate(48);
        var walker = Assert.IsAssignableFrom<IHeapWalker>(allocator);
        Assert.Contains(walker.WalkHeap(), b => b.Kind is HeapBlockKind.InUse or HeapBlockKind.Mmapped && a >= b.Address && a < b.Address + b.Size);
        Assert.True(allocator.CheckHeap(HeapCheckLevel.Full).Succeeded);
        allocator.Free(a);
    }

    [Fact]
    public void AddStrategyAllocator_TwoStrategies_FirstIsTheDefault()
    {
        var services = new ServiceCollection().AddGlibcAllocator().AddSlabAllocator();
        using ServiceProvider provider = services.BuildServiceProvider();
        Assert.Equal("glibc", provider.GetRequiredService<IAllocator>().Name);
        Assert.Equal("slab", provider.GetRequiredService<SlabAllocator>().Name);
    }

    [Fact]
    public void AddGlibcAllocator_DoesNotReplaceUserRegistration()
    {
        using var os = new SimulatedOs();
        var mine = new MmapAllocator(os);
        var services = new ServiceCollection();
        services.AddSingleton<IAllocator>(mine);
        services.AddGlibcAllocator();
        services.AddKeyedSingleton<IAllocator>("special", mine);
        services.AddKeyedSlabAllocator("special");
        using ServiceProvider provider = services.BuildServiceProvider();
        Assert.Same(mine, provider.GetRequiredService<IAllocator>());
        Assert.Same(mine, provider.GetRequiredKeyedService<IAllocator>("special"));
    }

    [Fact]
    public void AddKeyedAllocators_GetTheirNamedOptions()
    {
        var services = new ServiceCollection()
            .AddKeyedSlabAllocator("checked", o => o.CheckLevel = HeapCheckLevel.Full)
            .AddKeyedSlabAllocator("fast", o => o.MagazineSize = 64)
            .AddKeyedGlibcAllocator("small-mmap", o => o.MmapThresholdBytes = 4096)
            .AddKeyedSlabAllocator("checked", o => o.EmptySlabsPerCache = 3);   // same name: configure accumulates
        using ServiceProvider provider = services.BuildServiceProvider();

        var monitor = provider.GetRequiredService<IOptionsMonitor<SlabAllocatorOptions>>();
        Assert.Equal(HeapCheckLevel.Full, monitor.Get("checked").CheckLevel);
        Assert.Equal(3, monitor.Get("checked").EmptySlabsPerCache);
        Assert.Equal(new SlabAllocatorOptions().MagazineSize, monitor.Get("checked").MagazineSize);
        Assert.Equal(64, monitor.Get("fast").MagazineSize);
        Assert.Equal(HeapCheckLevel.None, monitor.Get("fast").CheckLevel);

        Assert.Equal(HeapCheckLevel.Full, provider.GetRequiredKeyedService<SlabAllocator>("checked").CheckLevel);
        Assert.Equal(HeapCheckLevel.None, provider.GetRequiredKeyedService<SlabAllocator>("fast").CheckLevel);
        var glibc = provider.GetRequiredKeyedService<GlibcAllocator>("small-mmap");
        glibc.Free(glibc.Allocate(16));   // ptmalloc_init applies the tunables on the first call
        Assert.Equal(4096UL, glibc.MmapThreshold);

        var checkedAllocator = provider.GetRequiredKeyedService<IAllocator>("checked");
        var fast = provider.GetRequiredKeyedService<IAllocator>("fast");
        Assert.NotSame(checkedAllocator, fast);
        Assert.NotSame(checkedAllocator.Os, fast.Os);   // each allocator has its own simulated process
        Assert.Null(provider.GetService<IAllocator>());
    }

    [Fact]
    public void AddKeyedAllocator_ResolvesThroughFromKeyedServices()
    {
        var services = new ServiceCollection().AddKeyedBuddyAllocator("pages").AddKeyedMmapAllocator("debug");
        services.AddSingleton<Consumer>();
        using ServiceProvider provider = services.BuildServiceProvider();
        var consumer = provider.GetRequiredService<Consumer>();
        Assert.Equal("buddy", consumer.Pages.Name);
        Assert.Equal("mmap", consumer.Debug.Name);
    }

    [Fact]
    public void AddKeyedAllocator_NullOrEmptyName_Throws()
    {
        var services = new ServiceCollection();
        Assert.Throws<ArgumentNullException>(() => services.AddKeyedGlibcAllocator(null!));
        Assert.Throws<ArgumentException>(() => services.AddKeyedSlabAllocator(string.Empty));
        Assert.Throws<ArgumentNullException>(() => AllocatorServiceCollectionExtensions.AddBuddyAllocator(null!));
    }

    [Fact]
    public async Task InvalidOptions_FailAtHostStart_ListingEveryFailure()
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSlabAllocator(o =>
        {
            o.MagazineSize = -1;
            o.MaxPagesPerSlab = 0;
            o.CacheLineBytes = 3;
        });
        using IHost host = builder.Build();
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Equal(typeof(SlabAllocatorOptions), ex.OptionsType);
        Assert.Equal(3, ex.Failures.Count());
        Assert.Contains(ex.Failures, f => f.Contains(nameof(SlabAllocatorOptions.MagazineSize)));
        Assert.Contains(ex.Failures, f => f.Contains(nameof(SlabAllocatorOptions.MaxPagesPerSlab)));
        Assert.Contains(ex.Failures, f => f.Contains(nameof(SlabAllocatorOptions.CacheLineBytes)));
    }

    [Fact]
    public async Task InvalidOptions_OfSeveralAllocators_AllReportedAtStart()
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services
            .AddGlibcAllocator(o => { o.MaxFastBytes = 1000; o.Perturb = 999; })
            .AddKeyedBuddyAllocator("pages", o => o.MinOrder = 40)
            .AddKeyedMmapAllocator("debug");
        builder.Services.Configure<SimulatedOsOptions>("debug", o => o.PageSize = 1000);
        using IHost host = builder.Build();
        var ex = await Assert.ThrowsAsync<AggregateException>(() => host.StartAsync());
        var failures = ex.InnerExceptions.OfType<OptionsValidationException>().ToList();
        Assert.Equal(3, failures.Count);
        Assert.Equal(2, failures.Single(f => f.OptionsType == typeof(GlibcAllocatorOptions)).Failures.Count());
        Assert.Equal("pages", failures.Single(f => f.OptionsType == typeof(BuddyAllocatorOptions)).OptionsName);
        Assert.Equal("debug", failures.Single(f => f.OptionsType == typeof(SimulatedOsOptions)).OptionsName);
    }

    [Fact]
    public void InvalidOptions_WithoutHost_StrategyConstructorThrowsTheSameFailures()
    {
        var services = new ServiceCollection().AddSlabAllocator(o => o.MagazineSize = -1);
        using ServiceProvider provider = services.BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IAllocator>());
        Assert.Contains(ex.Failures, f => f.Contains(nameof(SlabAllocatorOptions.MagazineSize)));
    }

    [Fact]
    public async Task ValidOptions_HostStartsAndDisposesTheProcesses()
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddGlibcAllocator().AddKeyedSlabAllocator("objects");
        IHost host = builder.Build();
        await host.StartAsync();
        var os = (SimulatedOs)host.Services.GetRequiredKeyedService<IAllocator>("objects").Os;
        Assert.NotEqual(0UL, host.Services.GetRequiredService<IAllocator>().Allocate(10));
        await host.StopAsync();
        host.Dispose();
        Assert.ThrowsAny<ObjectDisposedException>(() => os.Mmap(0, 4096, Protection.ReadWrite, MapFlags.PrivateAnonymous));
    }

    private static IServiceCollection AddDefault(IServiceCollection services, string strategy) => strategy switch
    {
        "glibc" => services.AddGlibcAllocator(),
        "buddy" => services.AddBuddyAllocator(),
        "slab" => services.AddSlabAllocator(),
        _ => services.AddMmapAllocator(),
    };

    private static IServiceCollection AddKeyed(IServiceCollection services, string strategy, string name) => strategy switch
    {
        "glibc" => services.AddKeyedGlibcAllocator(name),
        "buddy" => services.AddKeyedBuddyAllocator(name),
        "slab" => services.AddKeyedSlabAllocator(name),
        _ => services.AddKeyedMmapAllocator(name),
    };

    private sealed class Consumer([FromKeyedServices("pages")] IAllocator pages, [FromKeyedServices("debug")] IAllocator debug)
    {
        public IAllocator Pages { get; } = pages;

        public IAllocator Debug { get; } = debug;
    }
}
