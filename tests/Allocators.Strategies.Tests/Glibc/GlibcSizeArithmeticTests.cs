// Copyright (c) Allocators contributors. MIT License.

using Allocators.Strategies.Glibc;

namespace Allocators.Strategies.Tests.Glibc;

/// <summary>request2size, tcache/fastbin/small/large bin indexes at their boundaries (spec §2.2, §5).</summary>
public sealed class GlibcSizeArithmeticTests
{
    [Theory]
    [InlineData(0UL, 0x20UL)]
    [InlineData(24UL, 0x20UL)]
    [InlineData(25UL, 0x30UL)]
    [InlineData(40UL, 0x30UL)]
    [InlineData(41UL, 0x40UL)]
    [InlineData(56UL, 0x40UL)]
    [InlineData(1000UL, 0x3f0UL)]
    [InlineData(1032UL, 0x410UL)]
    [InlineData(131072UL, 0x20010UL)]
    [InlineData(200000UL, 0x30d50UL)]
    public void RequestToSize_Boundaries_MatchSpec(ulong request, ulong chunk)
        => Assert.Equal(chunk, ChunkHeader.RequestToSize(request));

    [Fact]
    public void CheckedRequestToSize_AbovePtrdiffMax_Fails()
    {
        Assert.Equal(0UL, ChunkHeader.CheckedRequestToSize((ulong)long.MaxValue + 1));
        Assert.NotEqual(0UL, ChunkHeader.CheckedRequestToSize((ulong)long.MaxValue - 100));
    }

    [Theory]
    [InlineData(0x400UL, 64)]
    [InlineData(0x43fUL, 64)]
    [InlineData(0x440UL, 65)]
    [InlineData(0xc3fUL, 96)]
    [InlineData(0xc40UL, 97)]
    [InlineData(0xdffUL, 97)]
    [InlineData(0xe00UL, 98)]
    [InlineData(0x29ffUL, 111)]
    [InlineData(0x2a00UL, 112)]
    [InlineData(0x2fffUL, 112)]
    [InlineData(0x3000UL, 113)]
    [InlineData(0x9fffUL, 119)]
    [InlineData(0xa000UL, 120)]
    [InlineData(0xffffUL, 120)]
    [InlineData(0x10000UL, 121)]
    [InlineData(0x27fffUL, 123)]
    [InlineData(0x28000UL, 124)]
    [InlineData(0x3ffffUL, 124)]
    [InlineData(0x40000UL, 125)]
    [InlineData(0x7ffffUL, 125)]
    [InlineData(0x80000UL, 126)]
    [InlineData(0x10000000UL, 126)]
    public void LargebinIndex_RangeBoundaries_MatchSpecTable(ulong size, int bin)
        => Assert.Equal(bin, ChunkHeader.LargebinIndex(size));

    [Theory]
    [InlineData(0x20UL, 2)]
    [InlineData(0x3f0UL, 63)]
    [InlineData(0x1000UL, 99)]
    public void BinIndex_SmallAndPageSize_MatchSpec(ulong size, int bin)
        => Assert.Equal(bin, ChunkHeader.BinIndex(size));

    [Theory]
    [InlineData(0x20UL, 0UL)]
    [InlineData(0x30UL, 1UL)]
    [InlineData(0x410UL, 63UL)]
    [InlineData(0x420UL, 64UL)]
    public void TcacheIndex_Sizes_MatchSpec(ulong size, ulong idx)
        => Assert.Equal(idx, ChunkHeader.TcacheIndex(size));

    [Theory]
    [InlineData(0x20UL, 0)]
    [InlineData(0x80UL, 6)]
    [InlineData(0xb0UL, 9)]
    public void FastbinIndex_Sizes_MatchSpec(ulong size, int idx)
        => Assert.Equal(idx, ChunkHeader.FastbinIndex(size));
}
