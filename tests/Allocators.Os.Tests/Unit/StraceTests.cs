// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Os.Tests.Unit;

public sealed class StraceTests
{
    [Fact]
    public void Observer_ReceivesStraceLinesOfTypicalCalls()
    {
        using var os = new SimulatedOs();
        var lines = new List<string>();
        var records = new List<SyscallRecord>();
        os.SyscallObserver = r =>
        {
            records.Add(r);
            lines.Add(r.ToStraceString());
        };

        os.Brk(0);
        os.Brk(0x55555557a000);
        ulong a = os.Mmap(0, 135168, Protection.ReadWrite, MapFlags.PrivateAnonymous).Value;
        os.Munmap(a, 135168);
        os.Mmap(0, 1UL << 50, Protection.ReadWrite, MapFlags.PrivateAnonymous);
        os.Mprotect(0x10000000, 4096, Protection.None);
        os.Brk(0x1000);

        Assert.Equal(
            [
                "brk(NULL) = 0x555555559000",
                "brk(0x55555557a000) = 0x55555557a000",
                "mmap(NULL, 135168, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7ffff7fde000",
                "munmap(0x7ffff7fde000, 135168) = 0",
                "mmap(NULL, 1125899906842624, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = -1 ENOMEM (Cannot allocate memory)",
                "mprotect(0x10000000, 4096, PROT_NONE) = -1 ENOMEM (Cannot allocate memory)",
                "brk(0x1000) = 0x55555557a000",
            ],
            lines);
        Assert.Equal(Enumerable.Range(1, 7).Select(i => (long)i), records.Select(r => r.Sequence));
        Assert.Equal(Errno.ENOMEM, records[^1].Error);
    }

    [Fact]
    public void Observer_SequenceCountsCallsMadeWhileNoObserver()
    {
        using var os = new SimulatedOs();
        os.Brk(0);
        SyscallRecord? last = null;
        os.SyscallObserver = r => last = r;
        os.Madvise(0x10000000, 4096, MadviseAdvice.DontNeed);
        Assert.Equal(2, last!.Value.Sequence);
        Assert.Equal("madvise(0x10000000, 4096, MADV_DONTNEED) = -1 ENOMEM (Cannot allocate memory)", last.Value.ToStraceString());
        os.SyscallObserver = null;
        os.Brk(0);
        Assert.Equal(2, last.Value.Sequence);
    }

    [Fact]
    public void Observer_MremapLine()
    {
        using var os = new SimulatedOs();
        ulong a = os.Mmap(0x10000000, 4096, Protection.ReadWrite, MapFlags.PrivateAnonymous).Value;
        string? line = null;
        os.SyscallObserver = r => line = r.ToStraceString();
        os.Mremap(a, 4096, 8192, MremapFlags.MayMove);
        Assert.Equal("mremap(0x10000000, 4096, 8192, MREMAP_MAYMOVE) = 0x10000000", line);
    }
}
