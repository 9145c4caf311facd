// Copyright (c) Allocators contributors. MIT License.

using System;
using Allocators.Benchmarks.Infrastructure;
using Allocators.Os;
using BenchmarkDotNet.Attributes;

namespace Allocators.Benchmarks.Os;

/// <summary>
/// The OS layer's cost: an anonymous private read-write mapping of <see cref="Bytes"/> bytes, one byte written in
/// every page (a page fault each), then unmapped; <see cref="Cycles"/> cycles per invocation. <c>Simulated</c> runs it
/// on <see cref="SimulatedOs"/>, <c>Native</c> (the baseline) on the real kernel through libc's mmap/munmap.
/// </summary>
[BenchmarkCategory("Os")]
public class MapTouchUnmapBenchmarks
{
    /// <summary>The map-touch-unmap cycles per invocation.</summary>
    public const int Cycles = 16;

    private const int PageSize = 4096;
    private const int ProtReadWrite = 0x3;
    private const int MapPrivateAnonymous = 0x22;

    private SimulatedOs? _os;

    /// <summary>Gets or sets the mapping length.</summary>
    [Params(4096, 262144, 4194304)]
    public int Bytes { get; set; }

    /// <summary>Creates the simulated process.</summary>
    [GlobalSetup]
    public void Setup() => _os = new SimulatedOs();

    /// <summary>Releases the simulated process.</summary>
    [GlobalCleanup]
    public void Cleanup() => _os?.Dispose();

    /// <summary>The cycles on the simulated OS.</summary>
    /// <returns>The sum of the mapping addresses (keeps the loop observable).</returns>
    [Benchmark]
    public ulong Simulated()
    {
        SimulatedOs os = _os!;
        ulong length = (ulong)Bytes;
        ulong sum = 0;
        for (int cycle = 0; cycle < Cycles; cycle++)
        {
            ulong address = os.Mmap(0, length, Protection.ReadWrite, MapFlags.PrivateAnonymous).Value;
            for (ulong offset = 0; offset < length; offset += PageSize)
            {
                os.WriteByte(address + offset, 1);
            }

            os.Munmap(address, length);
            sum += address;
        }

        return sum;
    }

    /// <summary>The same cycles on the real kernel (the baseline).</summary>
    /// <returns>The sum of the mapping addresses.</returns>
    [Benchmark(Baseline = true)]
    public unsafe ulong Native()
    {
        nuint length = (nuint)Bytes;
        ulong sum = 0;
        for (int cycle = 0; cycle < Cycles; cycle++)
        {
            nint address = LibC.Mmap(0, length, ProtReadWrite, MapPrivateAnonymous, -1, 0);
            if (address == -1)
            {
                throw new InvalidOperationException("mmap failed");
            }

            byte* start = (byte*)address;
            for (nuint offset = 0; offset < length; offset += PageSize)
            {
                start[offset] = 1;
            }

            LibC.Munmap(address, length);
            sum += (ulong)address;
        }

        return sum;
    }
}
