// Copyright (c) Allocators contributors. MIT License.

using Allocators.Os;
using Allocators.Strategies.Glibc;

namespace Allocators.Strategies.Tests.Glibc;

/// <summary>A fresh simulated process with a glibc allocator, an strace log and offset helpers.</summary>
internal sealed class GlibcHeap : IDisposable
{
    public GlibcHeap(GlibcAllocatorOptions? options = null, SimulatedOsOptions? osOptions = null)
    {
        Os = new SimulatedOs(osOptions);
        B0 = Os.InitialBreak;
        Os.SyscallObserver = r => Syscalls.Add(r);
        Glibc = new GlibcAllocator(Os, options);
    }

    public SimulatedOs Os { get; }

    public GlibcAllocator Glibc { get; }

    public ulong B0 { get; }

    public List<SyscallRecord> Syscalls { get; } = [];

    /// <summary>Gets the break as an offset from B0.</summary>
    public ulong Brk => Os.CurrentBreak - B0;

    /// <summary>Gets the top chunk as an offset from B0.</summary>
    public ulong Top => Glibc.TopChunk - B0;

    public ulong Off(ulong p) => p - B0;

    public ulong Malloc(ulong n) => Glibc.Allocate(n);

    public void Free(ulong p) => Glibc.Free(p);

    /// <summary>Gets the raw SIZE word of the chunk of user pointer <paramref name="p"/>.</summary>
    public ulong Hdr(ulong p) => Os.ReadUInt64(p - 8);

    /// <summary>Gets the syscalls as strace strings with addresses relative to B0 written as B0+0x….</summary>
    public List<string> Strace()
    {
        var list = new List<string>();
        foreach (SyscallRecord r in Syscalls)
        {
            list.Add(Describe(r));
        }

        return list;
    }

    public void ClearSyscalls() => Syscalls.Clear();

    public void AssertConsistent()
    {
        HeapCheckResult r = Glibc.CheckHeap(HeapCheckLevel.Full);
        Assert.True(r.Succeeded, r.ToString());
    }

    public void Dispose() => Os.Dispose();

    private string Describe(SyscallRecord r) => r.Kind switch
    {
        SyscallKind.Brk => r.Arg0 == 0 ? "brk(NULL)" : $"brk(B0+0x{r.Arg0 - B0:x})",
        SyscallKind.Mmap => $"mmap({r.Arg1})",
        SyscallKind.Munmap => $"munmap({r.Arg1})",
        SyscallKind.Mremap => $"mremap({r.Arg1}->{r.Arg2})",
        SyscallKind.Madvise => $"madvise(B0+0x{r.Arg0 - B0:x},{r.Arg1})",
        _ => r.ToStraceString(),
    };
}
