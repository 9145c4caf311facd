// Copyright (c) Allocators contributors. MIT License.

using System;
using Allocators.Os.Internals;

namespace Allocators.Os;

/// <content>The system calls: brk, mmap, munmap, mremap, mprotect, madvise, with Linux's checks and errno values.</content>
public sealed partial class SimulatedOs
{
    private const MapFlags KnownMapFlags = MapFlags.Shared | MapFlags.Private | MapFlags.Fixed | MapFlags.Anonymous | MapFlags.NoReserve | MapFlags.FixedNoReplace;
    private const Protection KnownProtection = Protection.Read | Protection.Write | Protection.Exec;

    /// <inheritdoc/>
    public ulong Brk(ulong address)
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            _brkCalls++;
            Errno error = Errno.None;
            if (address != 0)
            {
                _brkRequests++;
                error = SetBreak(address);
            }

            Complete(SyscallKind.Brk, address, 0, 0, 0, 0, _break, error);
            return _break;
        }
    }

    /// <inheritdoc/>
    public OsResult Mmap(ulong address, ulong length, Protection protection, MapFlags flags)
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            _mmapCalls++;
            Errno error = DoMmap(address, length, protection, flags, out ulong result);
            return Complete(SyscallKind.Mmap, address, length, (ulong)protection, (ulong)flags, 0, result, error);
        }
    }

    /// <inheritdoc/>
    public OsResult Munmap(ulong address, ulong length)
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            _munmapCalls++;
            Errno error = DoMunmap(address, length);
            return Complete(SyscallKind.Munmap, address, length, 0, 0, 0, 0, error);
        }
    }

    /// <inheritdoc/>
    public OsResult Mremap(ulong oldAddress, ulong oldLength, ulong newLength, MremapFlags flags, ulong newAddress = 0)
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            _mremapCalls++;
            Errno error = DoMremap(oldAddress, oldLength, newLength, flags, newAddress, out ulong result);
            return Complete(SyscallKind.Mremap, oldAddress, oldLength, newLength, (ulong)flags, newAddress, result, error);
        }
    }

    /// <inheritdoc/>
    public OsResult Mprotect(ulong address, ulong length, Protection protection)
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            _mprotectCalls++;
            Errno error = DoMprotect(address, length, protection);
            return Complete(SyscallKind.Mprotect, address, length, (ulong)protection, 0, 0, 0, error);
        }
    }

    /// <inheritdoc/>
    public OsResult Madvise(ulong address, ulong length, MadviseAdvice advice)
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            _madviseCalls++;
            Errno error = DoMadvise(address, length, advice);
            return Complete(SyscallKind.Madvise, address, length, (ulong)advice, 0, 0, 0, error);
        }
    }

    private OsResult Complete(SyscallKind kind, ulong arg0, ulong arg1, ulong arg2, ulong arg3, ulong arg4, ulong value, Errno error)
    {
        long sequence = ++_sequence;
        bool failed = error != Errno.None;
        if (failed)
        {
            _failedCalls++;
        }

        ulong returned = failed && kind != SyscallKind.Brk ? OsResult.Failed : value;
        Action<SyscallRecord>? observer = _observer;
        observer?.Invoke(new SyscallRecord(sequence, kind, arg0, arg1, arg2, arg3, arg4, returned, error));
        return failed ? OsResult.Fail(error) : OsResult.Ok(value);
    }

    /// <summary>
    /// brk: the break moves byte by byte, the heap mapping [start_brk, PAGE_ALIGN(brk)) page by page. Growth needs a
    /// free range up to one page below the next mapping (Linux's guard), RLIMIT_DATA (brk − start_brk, and data_vm),
    /// RLIMIT_AS and room in the host reservation; shrinking unmaps whole pages.
    /// </summary>
    private Errno SetBreak(ulong address)
    {
        ulong oldEnd = PageCeil(_break);
        bool grows = address > _break;
        if (Faults.ShouldFailBrk(_brkRequests, grows) || address < _initialBreak || address > _taskSize)
        {
            return Errno.ENOMEM;
        }

        ulong newEnd = PageCeil(address);
        if (newEnd < oldEnd)
        {
            PrepareRewrite(newEnd, oldEnd, RewriteKind.Unmap);
            if (CheckPendingLimits() != Errno.None)
            {
                return Errno.ENOMEM;
            }

            ReleasePages(newEnd, oldEnd);
            CommitRewrite();
        }
        else if (newEnd > oldEnd)
        {
            ulong dataLimit = Limits.DataLimitBytes;
            if ((dataLimit != 0 && address - _initialBreak > dataLimit)
                || Limits.ExceedsOvercommit(newEnd - oldEnd)
                || newEnd - _initialBreak > _heapReservation
                || !IsRangeFree(oldEnd, Math.Min(newEnd + (ulong)_pageSize, _taskSize)))
            {
                return Errno.ENOMEM;
            }

            PrepareRewrite(oldEnd, newEnd, RewriteKind.Map, new Vma(oldEnd, newEnd, Protection.ReadWrite, IsHeap: true, IsShared: false));
            if (CheckPendingLimits() != Errno.None)
            {
                return Errno.ENOMEM;
            }

            MapPages(oldEnd, newEnd - oldEnd, _heapHost + (nint)(oldEnd - _initialBreak), Protection.ReadWrite, reserved: true);
            CommitRewrite();
        }

        _break = address;
        return Errno.None;
    }

    private Errno DoMmap(ulong address, ulong length, Protection protection, MapFlags flags, out ulong result)
    {
        result = 0;
        bool shared = (flags & MapFlags.Shared) != 0;
        if (length == 0
            || (flags & ~KnownMapFlags) != 0
            || shared == ((flags & MapFlags.Private) != 0)
            || (flags & MapFlags.Anonymous) == 0
            || (protection & ~KnownProtection) != 0)
        {
            return Errno.EINVAL;
        }

        bool noReplace = (flags & MapFlags.FixedNoReplace) != 0;
        bool isFixed = noReplace || (flags & MapFlags.Fixed) != 0;
        if (isFixed && !IsPageAligned(address))
        {
            return Errno.EINVAL;
        }

        ulong bytes = PageCeil(length);
        bool accounted = !shared && (protection & Protection.Write) != 0 && (flags & MapFlags.NoReserve) == 0;
        if (bytes == 0 || bytes > _taskSize || bytes > _maxMappingBytes || Faults.ShouldFailMmap(_mmapCalls, bytes) || (accounted && Limits.ExceedsOvercommit(bytes)))
        {
            return Errno.ENOMEM;
        }

        ulong start;
        if (isFixed)
        {
            if (address < _mmapMinAddress)
            {
                return Errno.EPERM;
            }

            if (address > _taskSize - bytes)
            {
                return Errno.ENOMEM;
            }

            if (noReplace && !IsRangeFree(address, address + bytes))
            {
                return Errno.EEXIST;
            }

            start = address;
        }
        else
        {
            start = FindFreeRange(address, bytes);
            if (start == 0)
            {
                return Errno.ENOMEM;
            }
        }

        PrepareRewrite(start, start + bytes, RewriteKind.Map, new Vma(start, start + bytes, protection, IsHeap: false, IsShared: shared));
        if (CheckPendingLimits() != Errno.None)
        {
            return Errno.ENOMEM;
        }

        nint host = AcquireBacking(start, bytes, out bool reserved);
        if (host == 0)
        {
            return Errno.ENOMEM;
        }

        ReleasePages(start, start + bytes);
        MapPages(start, bytes, host, protection, reserved);
        CommitRewrite();
        result = start;
        return Errno.None;
    }

    private Errno DoMunmap(ulong address, ulong length)
    {
        if (!IsPageAligned(address) || length == 0 || address > _taskSize)
        {
            return Errno.EINVAL;
        }

        ulong bytes = PageCeil(length);
        if (bytes == 0 || bytes > _taskSize - address)
        {
            return Errno.EINVAL;
        }

        PrepareRewrite(address, address + bytes, RewriteKind.Unmap);
        if (CheckPendingLimits() != Errno.None)
        {
            return Errno.ENOMEM;
        }

        ReleasePages(address, address + bytes);
        CommitRewrite();
        return Errno.None;
    }

    private Errno DoMprotect(ulong address, ulong length, Protection protection)
    {
        if (!IsPageAligned(address) || (protection & ~KnownProtection) != 0)
        {
            return Errno.EINVAL;
        }

        if (length == 0)
        {
            return Errno.None;
        }

        ulong bytes = PageCeil(length);
        if (bytes == 0 || address > _taskSize || bytes > _taskSize - address || !IsFullyMapped(address, address + bytes))
        {
            return Errno.ENOMEM;
        }

        PrepareRewrite(address, address + bytes, RewriteKind.Protect, protection: protection);
        if (CheckPendingLimits() != Errno.None)
        {
            return Errno.ENOMEM;
        }

        ProtectPages(address, address + bytes, protection);
        CommitRewrite();
        return Errno.None;
    }

    private Errno DoMadvise(ulong address, ulong length, MadviseAdvice advice)
    {
        if (!IsPageAligned(address) || !Enum.IsDefined(advice))
        {
            return Errno.EINVAL;
        }

        if (length == 0)
        {
            return Errno.None;
        }

        ulong bytes = PageCeil(length);
        if (bytes == 0 || bytes > ulong.MaxValue - address)
        {
            return Errno.EINVAL;
        }

        ulong end = address + bytes;
        if (advice is MadviseAdvice.DontNeed or MadviseAdvice.Free)
        {
            DropPages(address, end);
        }

        return IsFullyMapped(address, end) ? Errno.None : Errno.ENOMEM;
    }

    private Errno DoMremap(ulong oldAddress, ulong oldLength, ulong newLength, MremapFlags flags, ulong newAddress, out ulong result)
    {
        result = 0;
        bool mayMove = (flags & MremapFlags.MayMove) != 0;
        bool isFixed = (flags & MremapFlags.Fixed) != 0;
        if ((flags & ~(MremapFlags.MayMove | MremapFlags.Fixed)) != 0 || (isFixed && !mayMove) || !IsPageAligned(oldAddress))
        {
            return Errno.EINVAL;
        }

        ulong oldBytes = PageCeil(oldLength);
        ulong newBytes = PageCeil(newLength);
        if (newBytes == 0 || oldBytes == 0)
        {
            return Errno.EINVAL;
        }

        if (isFixed
            && (!IsPageAligned(newAddress) || newBytes > _taskSize || newAddress > _taskSize - newBytes
                || (newAddress < oldAddress + oldBytes && oldAddress < newAddress + newBytes)))
        {
            return Errno.EINVAL;
        }

        int index = FindVma(oldAddress);
        if (index < 0 || oldBytes > _vmas[index].End - oldAddress)
        {
            return Errno.EFAULT;
        }

        Vma vma = _vmas[index];
        if (isFixed)
        {
            return MremapFixed(vma, oldAddress, oldBytes, newBytes, newAddress, out result);
        }

        if (newBytes <= oldBytes)
        {
            if (newBytes < oldBytes)
            {
                Errno shrink = DoMunmap(oldAddress + newBytes, oldBytes - newBytes);
                if (shrink != Errno.None)
                {
                    return shrink;
                }
            }

            result = oldAddress;
            return Errno.None;
        }

        ulong grow = newBytes - oldBytes;
        if (ExceedsGrowthLimits(vma, grow))
        {
            return Errno.ENOMEM;
        }

        ulong oldEnd = oldAddress + oldBytes;
        if (oldEnd == vma.End && newBytes <= _taskSize - oldAddress && IsRangeFree(oldEnd, oldAddress + newBytes)
            && TryGrowInPlace(vma, oldEnd, grow))
        {
            result = oldAddress;
            return Errno.None;
        }

        if (!mayMove)
        {
            return Errno.ENOMEM;
        }

        if (_vmas.Count >= Limits.MaxMapCount - 3)
        {
            return Errno.ENOMEM;
        }

        ulong destination = FindFreeRange(0, newBytes);
        if (destination == 0)
        {
            return Errno.ENOMEM;
        }

        if (!MoveMapping(vma, oldAddress, oldBytes, destination, newBytes))
        {
            return Errno.ENOMEM;
        }

        result = destination;
        return Errno.None;
    }

    private Errno MremapFixed(Vma vma, ulong oldAddress, ulong oldBytes, ulong newBytes, ulong newAddress, out ulong result)
    {
        result = 0;
        if (newBytes > oldBytes && ExceedsGrowthLimits(vma, newBytes - oldBytes))
        {
            return Errno.ENOMEM;
        }

        if (_vmas.Count >= Limits.MaxMapCount - 3)
        {
            return Errno.ENOMEM;
        }

        Errno error = DoMunmap(newAddress, newBytes);
        if (error != Errno.None)
        {
            return error;
        }

        if (oldBytes > newBytes)
        {
            error = DoMunmap(oldAddress + newBytes, oldBytes - newBytes);
            if (error != Errno.None)
            {
                return error;
            }

            oldBytes = newBytes;
        }

        if (!MoveMapping(vma, oldAddress, oldBytes, newAddress, newBytes))
        {
            return Errno.ENOMEM;
        }

        result = newAddress;
        return Errno.None;
    }

    /// <summary>may_expand_vm for mremap: growth by <paramref name="grow"/> bytes of an area like <paramref name="vma"/>.</summary>
    private bool ExceedsGrowthLimits(in Vma vma, ulong grow)
    {
        ulong addressSpaceLimit = Limits.AddressSpaceLimitBytes;
        if (addressSpaceLimit != 0 && _vszBytes + grow > addressSpaceLimit)
        {
            return true;
        }

        if ((vma.IsData && Limits.ExceedsOvercommit(grow)) || (!vma.IsHeap && vma.Length + grow > _maxMappingBytes))
        {
            return true;
        }

        ulong dataLimit = Limits.DataLimitBytes;
        return vma.IsData && dataLimit != 0 && _dataBytes + grow > dataLimit;
    }

    /// <summary>Extends the area ending at <paramref name="oldEnd"/> by <paramref name="grow"/> bytes of the same kind.</summary>
    private bool TryGrowInPlace(in Vma vma, ulong oldEnd, ulong grow)
    {
        nint host;
        bool reserved;
        if (vma.IsHeap)
        {
            if (oldEnd < _initialBreak || oldEnd + grow - _initialBreak > _heapReservation)
            {
                return false;
            }

            host = _heapHost + (nint)(oldEnd - _initialBreak);
            reserved = true;
        }
        else
        {
            ulong last = LoadEntry((oldEnd >> _pageShift) - 1);
            nint lastHost = (nint)(last & PageEntry.HostMask);
            if ((last & PageEntry.Reserved) == 0 && HostMemory.TryExtend(lastHost, (ulong)_pageSize, (ulong)_pageSize + grow))
            {
                // Keeps the host pages of the grown mapping contiguous (DangerousGetSpan over all of it works).
                host = lastHost + _pageSize;
                reserved = false;
            }
            else
            {
                host = AcquireBacking(oldEnd, grow, out reserved);
            }

            if (host == 0)
            {
                return false;
            }
        }

        PrepareRewrite(oldEnd, oldEnd + grow, RewriteKind.Map, vma.Slice(oldEnd, oldEnd + grow));
        MapPages(oldEnd, grow, host, vma.Protection, reserved);
        CommitRewrite();
        return true;
    }

    /// <summary>
    /// Moves [source, source + oldBytes) to the free range at <paramref name="destination"/> of
    /// <paramref name="newBytes"/>: the touched pages are copied (they stay resident), the rest stays untouched, and the
    /// source goes away. The moved mapping is never the heap.
    /// </summary>
    private bool MoveMapping(in Vma vma, ulong source, ulong oldBytes, ulong destination, ulong newBytes)
    {
        nint host = AcquireBacking(destination, newBytes, out bool reserved);
        if (host == 0)
        {
            return false;
        }

        PrepareRewrite(destination, destination + newBytes, RewriteKind.Map, new Vma(destination, destination + newBytes, vma.Protection, IsHeap: false, vma.IsShared));
        CommitRewrite();
        MapPages(destination, newBytes, host, vma.Protection, reserved);
        CopyResidentPages(source, destination, oldBytes);
        ReleasePages(source, source + oldBytes);
        PrepareRewrite(source, source + oldBytes, RewriteKind.Unmap);
        CommitRewrite();
        return true;
    }
}
