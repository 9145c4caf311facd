// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Os.Tests.Unit;

public sealed class PlacementTests
{
    private const ulong Base = 0x7ffff7fff000;
    private const MapFlags Anon = MapFlags.PrivateAnonymous;

    [Fact]
    public void Mmap_ManyUnmergeableMappings_PackDownwardsAndHolesAreReused()
    {
        using var os = new SimulatedOs();
        const int Count = 20000;
        var addresses = new ulong[Count];
        ulong expected = Base;
        for (int i = 0; i < Count; i++)
        {
            ulong bytes = (ulong)(i % 3 + 1) * 4096;
            var r = os.Mmap(0, bytes, i % 2 == 0 ? Protection.ReadWrite : Protection.None, Anon);
            expected -= bytes;
            Assert.Equal(expected, r.Value);
            addresses[i] = r.Value;
        }

        Assert.Equal(Count, os.MapCount);

        // Free a 2-page mapping high up and a 3-page one lower down: a 1-page request takes the top of the highest
        // hole; a 3-page request skips the 1-page rest and takes the lower hole; the next 1-page request takes the rest
        // of the high hole, and the one after goes below everything.
        Assert.True(os.Munmap(addresses[10], 2 * 4096).Succeeded);
        Assert.True(os.Munmap(addresses[5000], 3 * 4096).Succeeded);
        Assert.Equal(addresses[10] + 4096, os.Mmap(0, 4096, Protection.Read, Anon).Value);
        Assert.Equal(addresses[5000], os.Mmap(0, 3 * 4096, Protection.Read, Anon).Value);
        Assert.Equal(addresses[10], os.Mmap(0, 4096, Protection.Read, Anon).Value);
        Assert.Equal(expected - 4096, os.Mmap(0, 4096, Protection.Read, Anon).Value);
    }

    [Fact]
    public void Mmap_FailedForLimits_DoesNotLoseTheGap()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0, 4096, Protection.ReadWrite, Anon).Value;
        os.Limits.AddressSpaceLimitBytes = 4096;
        Assert.Equal(Errno.ENOMEM, os.Mmap(0, 4096, Protection.ReadWrite, Anon).Error);
        os.Limits.AddressSpaceLimitBytes = 0;
        Assert.Equal(a - 4096, os.Mmap(0, 4096, Protection.Read, Anon).Value);
    }
}
