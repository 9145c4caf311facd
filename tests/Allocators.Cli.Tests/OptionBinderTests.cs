// Copyright (c) Allocators contributors. MIT License.

using Allocators.Strategies;

namespace Allocators.Cli.Tests;

public sealed class OptionBinderTests
{
    public enum Mode
    {
        Fast,
        Careful,
    }

    public sealed class SampleOptions
    {
        public ulong MmapThresholdBytes { get; set; } = 128 * 1024;

        public int ArenaCount { get; set; } = 8;

        public bool DynamicThreshold { get; set; } = true;

        public Mode Mode { get; set; } = Mode.Fast;

        public long? LimitBytes { get; set; }

        public double Ratio { get; set; } = 0.5;

        public int ReadOnly { get; } = 3;
    }

    [Theory]
    [InlineData("MmapThresholdBytes", "4096", 4096UL)]
    [InlineData("mmapthresholdbytes", "4096", 4096UL)]
    [InlineData("mmap-threshold-bytes", "256K", 256UL * 1024)]
    [InlineData("mmap_threshold_bytes", "1M", 1UL << 20)]
    [InlineData("MMAP-THRESHOLD-BYTES", "2G", 2UL << 30)]
    [InlineData("MmapThresholdBytes", "64KiB", 64UL * 1024)]
    [InlineData("MmapThresholdBytes", "0x20000", 0x20000UL)]
    public void Bind_SizeSpellings_SetTheProperty(string key, string value, ulong expected)
    {
        var options = OptionBinder.Bind(new SampleOptions(), [new(key, value)]);
        Assert.Equal(expected, options.MmapThresholdBytes);
    }

    [Fact]
    public void Bind_BoolEnumNullableDouble_AreParsed()
    {
        var options = OptionBinder.Bind(
            new SampleOptions(),
            [new("dynamic-threshold", "off"), new("mode", "careful"), new("LimitBytes", "1K"), new("ratio", "0.25"), new("arena-count", "-1")]);
        Assert.False(options.DynamicThreshold);
        Assert.Equal(Mode.Careful, options.Mode);
        Assert.Equal(1024L, options.LimitBytes);
        Assert.Equal(0.25, options.Ratio);
        Assert.Equal(-1, options.ArenaCount);

        OptionBinder.Bind(options, [new("limit-bytes", "null")]);
        Assert.Null(options.LimitBytes);
    }

    [Fact]
    [Trait("Category", "BadInput")]
    public void Bind_UnknownKey_NamesKeyAndListsValidKeys()
    {
        var ex = Assert.Throws<OptionBindingException>(() => OptionBinder.Bind(new SampleOptions(), [new("threshold", "5")]));
        Assert.Contains("'threshold'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("MmapThresholdBytes", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ArenaCount", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("ReadOnly", ex.Message, StringComparison.Ordinal);
        Assert.Equal("threshold", ex.Key);
        Assert.Null(ex.Value);
    }

    [Theory]
    [Trait("Category", "BadInput")]
    [InlineData("MmapThresholdBytes", "lots")]
    [InlineData("MmapThresholdBytes", "-5")]
    [InlineData("MmapThresholdBytes", "99999999999999999999")]
    [InlineData("MmapThresholdBytes", "17179869184G")]
    [InlineData("ArenaCount", "4G")]
    [InlineData("DynamicThreshold", "maybe")]
    [InlineData("Mode", "1")]
    [InlineData("Mode", "sloppy")]
    [InlineData("Ratio", "half")]
    public void Bind_UnparsableValue_NamesKeyAndValue(string key, string value)
    {
        var options = new SampleOptions();
        var ex = Assert.Throws<OptionBindingException>(() => OptionBinder.Bind(options, [new(key, value)]));
        Assert.Contains($"'{key}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", ex.Message, StringComparison.Ordinal);
        Assert.Equal(value, ex.Value);
        Assert.Contains("valid keys: MmapThresholdBytes, ArenaCount", ex.Message, StringComparison.Ordinal);
        Assert.Equal(128UL * 1024, options.MmapThresholdBytes);
        Assert.Equal(8, options.ArenaCount);
    }

    [Theory]
    [InlineData("a=b", "a", "b")]
    [InlineData(" MmapThresholdBytes = 64K ", "MmapThresholdBytes", "64K")]
    [InlineData("k=v=w", "k", "v=w")]
    [InlineData("k=", "k", "")]
    public void ParsePair_KeyEqualsValue_Splits(string text, string key, string value)
    {
        var pair = OptionBinder.ParsePair(text);
        Assert.Equal(key, pair.Key);
        Assert.Equal(value, pair.Value);
    }

    [Theory]
    [Trait("Category", "BadInput")]
    [InlineData("novalue")]
    [InlineData("=5")]
    public void ParsePair_NoKey_Throws(string text)
    {
        var ex = Assert.Throws<OptionBindingException>(() => OptionBinder.ParsePair(text));
        Assert.Contains(text, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_ListsSettablePropertiesWithDefaults()
    {
        var described = OptionBinder.Describe(new SampleOptions());
        Assert.Equal(["MmapThresholdBytes", "ArenaCount", "DynamicThreshold", "Mode", "LimitBytes", "Ratio"], described.Select(d => d.Name));
        Assert.Equal("131072", described[0].Value);
        Assert.Equal("Int64?", described[4].Type);
        Assert.Equal("null", described[4].Value);
    }
}
