// Copyright (c) Allocators contributors. MIT License.

using Microsoft.Extensions.Options;

namespace Allocators.Os.Tests.Unit;

public sealed class OptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed()
    {
        var result = new SimulatedOsOptionsValidator().Validate(null, new SimulatedOsOptions());
        Assert.True(result.Succeeded);
    }

    [Theory]
    [InlineData(8192)]
    [InlineData(65536)]
    [InlineData(2 * 1024 * 1024)]
    public void Validate_LargerPowerOfTwoPageSize_Succeeds(int pageSize)
    {
        var options = new SimulatedOsOptions { PageSize = pageSize, BreakStart = 0x555555600000, MmapBase = 0x7fffff000000 };
        Assert.True(new SimulatedOsOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Validate_EveryFailure_IsListed()
    {
        var options = new SimulatedOsOptions
        {
            PageSize = 3000,
            BreakStart = 0x555555559001,
            MmapBase = 0x7ffff7fff001,
            HeapReservationBytes = 0,
            MaxMapCount = 0,
            FailNthBrk = -1,
            FailNthMmap = -2,
        };
        var result = new SimulatedOsOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        string[] failures = result.Failures!.ToArray();
        Assert.Contains(failures, f => f.Contains("PageSize") && f.Contains("3000"));
        Assert.Contains(failures, f => f.Contains("BreakStart") && f.Contains("0x555555559001"));
        Assert.Contains(failures, f => f.Contains("MmapBase") && f.Contains("0x7ffff7fff001"));
        Assert.Contains(failures, f => f.Contains("HeapReservationBytes"));
        Assert.Contains(failures, f => f.Contains("MaxMapCount"));
        Assert.Contains(failures, f => f.Contains("FailNthBrk"));
        Assert.Contains(failures, f => f.Contains("FailNthMmap"));
        Assert.Equal(7, failures.Length);
    }

    [Theory]
    [InlineData(2048)]
    [InlineData(6144)]
    [InlineData(0)]
    [InlineData(-4096)]
    public void Validate_BadPageSize_Fails(int pageSize)
    {
        var result = new SimulatedOsOptionsValidator().Validate(null, new SimulatedOsOptions { PageSize = pageSize });
        Assert.Contains(result.Failures!, f => f.Contains("PageSize"));
    }

    [Fact]
    public void Validate_BreakOutsideUserSpace_Fails()
    {
        var result = new SimulatedOsOptionsValidator().Validate(null, new SimulatedOsOptions { BreakStart = 0x800000000000 });
        Assert.Contains(result.Failures!, f => f.Contains("BreakStart"));
        result = new SimulatedOsOptionsValidator().Validate(null, new SimulatedOsOptions { BreakStart = 0x1000 });
        Assert.Contains(result.Failures!, f => f.Contains("BreakStart"));
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsOptionsValidationExceptionWithAllFailures()
    {
        var e = Assert.Throws<OptionsValidationException>(() => new SimulatedOs(new SimulatedOsOptions { PageSize = 1000, MaxMapCount = -1 }));
        Assert.Equal(typeof(SimulatedOsOptions), e.OptionsType);
        Assert.Equal(2, e.Failures.Count());
    }

    [Fact]
    public void Limits_InvalidMaxMapCount_Throws()
    {
        using var os = new SimulatedOs();
        Assert.Throws<ArgumentOutOfRangeException>(() => os.Limits.MaxMapCount = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => os.Faults.FailNthMmap = -1);
        Assert.Throws<ArgumentOutOfRangeException>(() => os.Faults.FailNextBrk(-1));
    }
}
