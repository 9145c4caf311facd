// Copyright (c) Allocators contributors. MIT License.

// HostDemo: a Generic Host that picks and tunes two allocators from appsettings.json (a glibc default and a keyed
// slab allocator "objects"), uses the default one through MemoryPool<byte>, churns objects on the slab one, and
// prints the allocators' metrics as a MeterListener sees them (dotnet-counters or OpenTelemetry would see the same).

using Allocators.Hosting;
using HostDemo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// The content root is the program's own folder, so appsettings.json is found wherever the demo is started from.
HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});
builder.Services.AddAllocators(builder.Configuration.GetSection("Allocators"));
builder.Services.AddSingleton<DemoWorkload>();

using IHost host = builder.Build();
await host.StartAsync();   // options are validated here: a bad appsettings.json stops the demo with every failure listed

using (var metrics = new MetricsPrinter())
{
    host.Services.GetRequiredService<DemoWorkload>().Run(Console.Out);
    metrics.Print(Console.Out);
}

await host.StopAsync();
