// Copyright (c) Allocators contributors. MIT License.

using Allocators.Os;
using Allocators.Strategies.Buddy;
using Allocators.Strategies.Glibc;
using Allocators.Strategies.Mmap;
using Allocators.Strategies.Slab;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Allocators.Hosting.Tests;

public sealed class ConfigurationBindingTests
{
    [Fact]
    public void AddAllocators_Section_BindsEveryAllocatorItsOptionsAndItsOs()
    {
        IConfiguration configuration = Build(new Dictionary<string, string?>
        {
            ["Allocators:default:Strategy"] = "glibc",
            ["Allocators:default:MmapThresholdBytes"] = "65536",
            ["Allocators:default:CheckLevel"] = "Cheap",
            ["Allocators:objects:Strategy"] = "slab",
            ["Allocators:objects:MagazineSize"] = "4",
            ["Allocators:objects:Colouring"] = "false",
            ["Allocators:objects:Os:MmapBase"] = "0x7f0000000000",
            ["Allocators:objects:Os:AddressSpaceLimitBytes"] = "268435456",
            ["Allocators:pages:Strategy"] = "Buddy",
            ["Allocators:pages:MinOrder"] = "6",
            ["Allocators:pages:MaxOrder"] = "22",
            ["Allocators:pages:RegionSource"] = "Brk",
            ["Allocators:debug:Strategy"] = "mmap",
            ["Allocators:debug:GuardPageBefore"] = "true",
        });

        var services = new ServiceCollection().AddAllocators(configuration.GetSection("Allocators"));
        using ServiceProvider provider = services.BuildServiceProvider();

        var glibcOptions = provider.GetRequiredService<IOptionsMonitor<GlibcAllocatorOptions>>().Get(Options.DefaultName);
        Assert.Equal(65536UL, glibcOptions.MmapThresholdBytes);
        Assert.Equal(HeapCheckLevel.Cheap, glibcOptions.CheckLevel);
        var slabOptions = provider.GetRequiredService<IOptionsMonitor<SlabAllocatorOptions>>().Get("objects");
        Assert.Equal(4, slabOptions.MagazineSize);
        Assert.False(slabOptions.Colouring);
        var osOptions = provider.GetRequiredService<IOptionsMonitor<SimulatedOsOptions>>().Get("objects");
        Assert.Equal(0x7f0000000000UL, osOptions.MmapBase);
        Assert.Equal(268435456UL, osOptions.AddressSpaceLimitBytes);
        var buddyOptions = provider.GetRequiredService<IOptionsMonitor<BuddyAllocatorOptions>>().Get("pages");
        Assert.Equal((6, 22, BuddyRegionSource.Brk), (buddyOptions.MinOrder, buddyOptions.MaxOrder, buddyOptions.RegionSource));
        Assert.True(provider.GetRequiredService<IOptionsMonitor<MmapAllocatorOptions>>().Get("debug").GuardPageBefore);

        var defaultAllocator = provider.GetRequiredService<IAllocator>();
        Assert.Equal("glibc", defaultAllocator.Name);
        var objects = provider.GetRequiredKeyedService<IAllocator>("objects");
        Assert.Equal("slab", objects.Name);
        Assert.Equal(0x7f0000000000UL, ((SimulatedOs)objects.Os).MmapBase);
        Assert.Equal("buddy", provider.GetRequiredKeyedService<IAllocator>("pages").Name);
        Assert.Equal("mmap", provider.GetRequiredKeyedService<IAllocator>("debug").Name);

        // The bound values are the ones the strategies run with.
        var glibc = provider.GetRequiredService<GlibcAllocator>();
        glibc.Free(glibc.Allocate(16));
        Assert.Equal(65536UL, glibc.MmapThreshold);
        ulong block = objects.Allocate(100);
        Assert.True(block < 0x7f0000000000UL);
        objects.Free(block);
    }

    [Fact]
    public void AddAllocators_OptionsRoundTrip_BindingWhatWasWrittenGivesTheSameValues()
    {
        var written = new SlabAllocatorOptions { MagazineSize = 7, DepotMagazines = 3, EmptySlabsPerCache = 2, MaxPagesPerSlab = 4, MinObjectsPerSlab = 5, CacheLineBytes = 128, Colouring = false, CheckLevel = HeapCheckLevel.Full };
        var data = new Dictionary<string, string?> { ["A:x:Strategy"] = "slab" };
        foreach (var property in typeof(SlabAllocatorOptions).GetProperties())
        {
            data[$"A:x:{property.Name}"] = Convert.ToString(property.GetValue(written), System.Globalization.CultureInfo.InvariantCulture);
        }

        var services = new ServiceCollection().AddAllocators(Build(data).GetSection("A"));
        using ServiceProvider provider = services.BuildServiceProvider();
        var read = provider.GetRequiredService<IOptionsMonitor<SlabAllocatorOptions>>().Get("x");
        foreach (var property in typeof(SlabAllocatorOptions).GetProperties())
        {
            Assert.Equal(property.GetValue(written), property.GetValue(read));
        }

        Assert.Equal(HeapCheckLevel.Full, provider.GetRequiredKeyedService<SlabAllocator>("x").CheckLevel);
    }

    [Fact]
    public void AddAllocators_DefaultEntry_IsMatchedWithoutCaseAndIsUnkeyed()
    {
        IConfiguration configuration = Build(new Dictionary<string, string?>
        {
            ["Allocators:Default:Strategy"] = "SLAB",
            ["Allocators:Default:EmptySlabsPerCache"] = "5",
        });
        var services = new ServiceCollection().AddAllocators(configuration.GetSection("Allocators"));
        using ServiceProvider provider = services.BuildServiceProvider();
        Assert.Equal("slab", provider.GetRequiredService<IAllocator>().Name);
        Assert.Equal(5, provider.GetRequiredService<IOptions<SlabAllocatorOptions>>().Value.EmptySlabsPerCache);
        Assert.Null(provider.GetKeyedService<IAllocator>("Default"));
    }

    [Fact]
    public void AddAllocators_UnknownStrategy_ThrowsNamingTheSection()
    {
        IConfiguration configuration = Build(new Dictionary<string, string?>
        {
            ["Allocators:fast:Strategy"] = "jemalloc",
        });
        var ex = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddAllocators(configuration.GetSection("Allocators")));
        Assert.Contains("Allocators:fast", ex.Message);
        Assert.Contains("jemalloc", ex.Message);
        Assert.Contains("glibc, buddy, slab, mmap", ex.Message);
    }

    [Fact]
    public void AddAllocators_MissingStrategy_ThrowsNamingTheSection()
    {
        IConfiguration configuration = Build(new Dictionary<string, string?>
        {
            ["Allocators:objects:MagazineSize"] = "4",
        });
        var ex = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddAllocators(configuration.GetSection("Allocators")));
        Assert.Contains("Allocators:objects", ex.Message);
        Assert.Contains("Strategy", ex.Message);
    }

    [Fact]
    public async Task AddAllocators_UnparsableValue_FailsAtStartNamingTheKey()
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Allocators:objects:Strategy"] = "slab",
            ["Allocators:objects:MagazineSize"] = "lots",
        });
        builder.Services.AddAllocators(builder.Configuration.GetSection("Allocators"));
        using IHost host = builder.Build();
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("Allocators:objects:MagazineSize", ex.Message);
    }

    [Fact]
    public async Task AddAllocators_InvalidBoundValues_FailAtStartWithEveryFailure()
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Allocators:objects:Strategy"] = "slab",
            ["Allocators:objects:MagazineSize"] = "-5",
            ["Allocators:objects:CacheLineBytes"] = "100",
        });
        builder.Services.AddAllocators(builder.Configuration.GetSection("Allocators"));
        using IHost host = builder.Build();
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Equal("objects", ex.OptionsName);
        Assert.Equal(2, ex.Failures.Count());
    }

    private static IConfiguration Build(Dictionary<string, string?> data)
        => new ConfigurationBuilder().AddInMemoryCollection(data).Build();
}
