// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Os.Tests.Unit;

/// <summary>
/// <see cref="SimulatedOsOptions.HeapHugePageBytes"/>: the heap's host memory starts on a 2 MiB boundary and is advised
/// MADV_HUGEPAGE; nothing simulated (contents, faults, RSS, VSZ, strace) depends on it.
/// </summary>
public sealed class HugePageTests
{
    private const int Page = 4096;
    private const ulong TwoMiB = 2UL << 20;

    [Theory]
    [InlineData(0UL)]
    [InlineData(TwoMiB)]
    [InlineData(64UL << 20)]
    public void Validate_HeapHugePageBytesMultipleOf2MiB_Succeeds(ulong bytes)
    {
        var options = new SimulatedOsOptions { HeapHugePageBytes = bytes };
        Assert.True(new SimulatedOsOptionsValidator().Validate(null, options).Succeeded);
    }

    [Theory]
    [InlineData(4096UL)]
    [InlineData(TwoMiB + 4096)]
    [InlineData(ulong.MaxValue)]
    public void Validate_HeapHugePageBytesNotMultipleOf2MiB_FailsNamingIt(ulong bytes)
    {
        var result = new SimulatedOsOptionsValidator().Validate(null, new SimulatedOsOptions { HeapHugePageBytes = bytes });
        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains("HeapHugePageBytes") && f.Contains(bytes.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => new SimulatedOs(new SimulatedOsOptions { HeapHugePageBytes = bytes }));
    }

    [Fact]
    public void HeapHost_WithHugePages_StartsOn2MiBBoundary_EvenAfterAProcessWithout()
    {
        using (var plain = new SimulatedOs(new SimulatedOsOptions { HeapHugePageBytes = 0 }))
        {
            plain.Brk(plain.InitialBreak + Page);
            plain.WriteUInt64(plain.InitialBreak, 1);
        }

        // The disposed process's spare has no huge-page prefix, so this process must not take it.
        for (int round = 0; round < 2; round++)
        {
            using var os = new SimulatedOs();
            os.Brk(os.InitialBreak + Page);
            var w = new DirectAccessWindow(os);
            w.WriteHeapUInt64(os.InitialBreak, 5);
            nint host = w.HeapHostOf(os.InitialBreak, 8);
            Assert.NotEqual(0, host);
            Assert.Equal(0UL, (ulong)host % TwoMiB);
        }
    }

    [Fact]
    public void SimulatedBehaviour_SameWithAndWithoutHugePages()
    {
        string withHuge = Run(new SimulatedOsOptions());
        Assert.Equal(Run(new SimulatedOsOptions { HeapHugePageBytes = 0 }), withHuge);
        Assert.Equal(Run(new SimulatedOsOptions { HeapHugePageBytes = TwoMiB }), withHuge); // huge pages cover part of the heap
        Assert.Equal(Run(new SimulatedOsOptions { HeapReservationBytes = 15UL << 20 }), withHuge); // huge prefix clamped to the reservation
    }

    /// <summary>
    /// Grows the heap over several huge pages, touches pages sparsely, shrinks the break mid huge page, grows it again
    /// and drops a range with madvise; returns every read value, the statistics and the strace text.
    /// </summary>
    private static string Run(SimulatedOsOptions options)
    {
        var log = new System.Text.StringBuilder();
        using var os = new SimulatedOs(options);
        os.SyscallObserver = r => log.AppendLine(r.ToStraceString());
        ulong heap = os.InitialBreak;
        ulong size = 7 * TwoMiB + (5 * Page);
        Assert.Equal(heap + size, os.Brk(heap + size));
        for (ulong off = 0; off < size; off += 3 * Page)
        {
            os.WriteUInt64(heap + off + 8, off ^ 0x5a5a);
        }

        ulong shrunk = (3 * TwoMiB) + (17 * Page) + 100;
        os.Brk(heap + shrunk);
        log.AppendLine(os.GetStatistics().ToString());
        os.Brk(heap + size);
        for (ulong off = 0; off < size; off += Page)
        {
            ulong value = os.ReadUInt64(heap + off + 8);
            log.Append(value).Append(',');
            ulong expected = heap + off + Page <= ((heap + shrunk + Page - 1) & ~(ulong)(Page - 1)) && off % (3 * Page) == 0 ? off ^ 0x5a5a : 0;
            Assert.Equal(expected, value);
        }

        os.Madvise(heap + TwoMiB, 2 * TwoMiB, MadviseAdvice.DontNeed);
        for (ulong off = 0; off < 4 * TwoMiB; off += 5 * Page)
        {
            log.Append(os.ReadUInt64(heap + off + 8)).Append(';');
        }

        log.AppendLine(os.GetStatistics().ToString());
        return log.ToString();
    }
}
