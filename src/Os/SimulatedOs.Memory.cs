// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Threading;
using Allocators.Os.Internals;

namespace Allocators.Os;

/// <content>
/// Memory access. The fast path walks the page table and tests one fast bit of the entry; anything else (first
/// touch, protection fault, unmapped page, an access that crosses a page) goes to a non-inlined slow path. A page is
/// resident after its first touch, read or write alike: that first touch is the page fault.
/// </content>
public sealed unsafe partial class SimulatedOs
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte ReadByte(ulong address)
    {
        ulong page = address >> _pageShift;
        if (page < PageNumberLimit)
        {
            ulong entry = LoadEntry(page);
            if ((entry & PageEntry.FastRead) != 0)
            {
                return *(byte*)((entry & PageEntry.HostMask) + (address & _offsetMask));
            }
        }

        return *Translate(address, MemoryAccessKind.Read);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteByte(ulong address, byte value)
    {
        ulong page = address >> _pageShift;
        if (page < PageNumberLimit)
        {
            ulong entry = LoadEntry(page);
            if ((entry & PageEntry.FastWrite) != 0)
            {
                *(byte*)((entry & PageEntry.HostMask) + (address & _offsetMask)) = value;
                return;
            }
        }

        *Translate(address, MemoryAccessKind.Write) = value;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadUInt64(ulong address)
    {
        ulong page = address >> _pageShift;
        ulong offset = address & _offsetMask;
        if (page < PageNumberLimit && offset <= _offsetMask - 7)
        {
            ulong entry = LoadEntry(page);
            if ((entry & PageEntry.FastRead) != 0)
            {
                return Unsafe.ReadUnaligned<ulong>((byte*)(entry & PageEntry.HostMask) + offset);
            }
        }

        return ReadUInt64Slow(address);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteUInt64(ulong address, ulong value)
    {
        ulong page = address >> _pageShift;
        ulong offset = address & _offsetMask;
        if (page < PageNumberLimit && offset <= _offsetMask - 7)
        {
            ulong entry = LoadEntry(page);
            if ((entry & PageEntry.FastWrite) != 0)
            {
                Unsafe.WriteUnaligned((byte*)(entry & PageEntry.HostMask) + offset, value);
                return;
            }
        }

        WriteUInt64Slow(address, value);
    }

    /// <inheritdoc/>
    public void Read(ulong address, Span<byte> destination)
    {
        if (destination.IsEmpty)
        {
            return;
        }

        ulong offset = address & _offsetMask;
        if ((ulong)destination.Length <= (ulong)_pageSize - offset)
        {
            new ReadOnlySpan<byte>(Translate(address, MemoryAccessKind.Read), destination.Length).CopyTo(destination);
            return;
        }

        CheckRange(address, (ulong)destination.Length, MemoryAccessKind.Read);
        int done = 0;
        while (done < destination.Length)
        {
            ulong at = address + (ulong)done;
            int chunk = (int)Math.Min((ulong)(destination.Length - done), (ulong)_pageSize - (at & _offsetMask));
            new ReadOnlySpan<byte>(Translate(at, MemoryAccessKind.Read), chunk).CopyTo(destination.Slice(done, chunk));
            done += chunk;
        }
    }

    /// <inheritdoc/>
    public void Write(ulong address, ReadOnlySpan<byte> source)
    {
        if (source.IsEmpty)
        {
            return;
        }

        ulong offset = address & _offsetMask;
        if ((ulong)source.Length <= (ulong)_pageSize - offset)
        {
            source.CopyTo(new Span<byte>(Translate(address, MemoryAccessKind.Write), source.Length));
            return;
        }

        CheckRange(address, (ulong)source.Length, MemoryAccessKind.Write);
        int done = 0;
        while (done < source.Length)
        {
            ulong at = address + (ulong)done;
            int chunk = (int)Math.Min((ulong)(source.Length - done), (ulong)_pageSize - (at & _offsetMask));
            source.Slice(done, chunk).CopyTo(new Span<byte>(Translate(at, MemoryAccessKind.Write), chunk));
            done += chunk;
        }
    }

    /// <inheritdoc/>
    public void Fill(ulong address, ulong length, byte value)
    {
        if (length == 0)
        {
            return;
        }

        CheckRange(address, length, MemoryAccessKind.Write);
        ulong done = 0;
        while (done < length)
        {
            ulong at = address + done;
            ulong chunk = Math.Min(length - done, (ulong)_pageSize - (at & _offsetMask));
            new Span<byte>(Translate(at, MemoryAccessKind.Write), (int)chunk).Fill(value);
            done += chunk;
        }
    }

    /// <inheritdoc/>
    public void Copy(ulong destination, ulong source, ulong length)
    {
        if (length == 0)
        {
            return;
        }

        CheckRange(source, length, MemoryAccessKind.Read);
        CheckRange(destination, length, MemoryAccessKind.Write);
        if (destination <= source || destination - source >= length)
        {
            // Forward: every chunk reads source bytes above anything written so far.
            ulong done = 0;
            while (done < length)
            {
                ulong s = source + done;
                ulong d = destination + done;
                ulong chunk = Math.Min(length - done, Math.Min((ulong)_pageSize - (s & _offsetMask), (ulong)_pageSize - (d & _offsetMask)));
                byte* from = Translate(s, MemoryAccessKind.Read);
                byte* to = Translate(d, MemoryAccessKind.Write);
                Buffer.MemoryCopy(from, to, chunk, chunk);
                done += chunk;
            }
        }
        else
        {
            // Backward: the destination overlaps the source from above, so copy from the end.
            ulong remaining = length;
            while (remaining > 0)
            {
                ulong sEnd = source + remaining;
                ulong dEnd = destination + remaining;
                ulong chunk = Math.Min(remaining, Math.Min(((sEnd - 1) & _offsetMask) + 1, ((dEnd - 1) & _offsetMask) + 1));
                byte* from = Translate(sEnd - chunk, MemoryAccessKind.Read);
                byte* to = Translate(dEnd - chunk, MemoryAccessKind.Write);
                Buffer.MemoryCopy(from, to, chunk, chunk);
                remaining -= chunk;
            }
        }
    }

    /// <inheritdoc/>
    public bool IsAccessible(ulong address, ulong length, Protection protection)
    {
        if (length == 0)
        {
            return true;
        }

        if (length - 1 > ulong.MaxValue - address)
        {
            return false;
        }

        ulong last = (address + length - 1) >> _pageShift;
        if (last >= PageNumberLimit)
        {
            return false;
        }

        for (ulong page = address >> _pageShift; page <= last; page++)
        {
            ulong entry = LoadEntry(page);
            if ((entry & PageEntry.Mapped) == 0)
            {
                return false;
            }

            Protection granted = PageEntry.GetProtection(entry);
            if (((protection & Protection.Read) != 0 && !PageEntry.IsReadable(granted))
                || ((protection & Protection.Write) != 0 && !PageEntry.IsWritable(granted))
                || ((protection & Protection.Exec) != 0 && (granted & Protection.Exec) == 0))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public Span<byte> DangerousGetSpan(ulong address, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length == 0)
        {
            return Span<byte>.Empty;
        }

        CheckRange(address, (ulong)length, MemoryAccessKind.Write);
        byte* start = Translate(address, MemoryAccessKind.Write);
        ulong firstPage = address >> _pageShift;
        ulong lastPage = (address + (ulong)length - 1) >> _pageShift;
        nint baseHost = (nint)start - (nint)(address & _offsetMask);
        for (ulong page = firstPage + 1; page <= lastPage; page++)
        {
            byte* host = Translate(page << _pageShift, MemoryAccessKind.Write);
            if ((nint)host != baseHost + (nint)((page - firstPage) << _pageShift))
            {
                throw new ArgumentException(
                    $"The range 0x{address:x}+{length} is backed by separate host blocks (it spans pieces of different mmap calls); use Read, Write or Copy instead.",
                    nameof(address));
            }
        }

        return new Span<byte>(start, length);
    }

    /// <summary>Returns the host address of <paramref name="address"/>, faulting the page in; throws a segmentation fault when the access is not allowed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte* Translate(ulong address, MemoryAccessKind access)
    {
        ulong page = address >> _pageShift;
        if (page < PageNumberLimit)
        {
            ulong entry = LoadEntry(page);
            ulong fast = access == MemoryAccessKind.Write ? PageEntry.FastWrite : PageEntry.FastRead;
            if ((entry & fast) != 0)
            {
                return (byte*)(entry & PageEntry.HostMask) + (address & _offsetMask);
            }
        }

        return TranslateSlow(address, access);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private byte* TranslateSlow(ulong address, MemoryAccessKind access)
    {
        ThrowIfDisposed();
        ulong page = address >> _pageShift;
        if (page >= PageNumberLimit)
        {
            throw new SegmentationFaultException(address, access, mapped: false);
        }

        ulong* slot = LookupSlot(page);
        while (true)
        {
            ulong entry = Volatile.Read(ref *slot);
            if ((entry & PageEntry.Mapped) == 0)
            {
                throw new SegmentationFaultException(address, access, mapped: false);
            }

            if (!PageEntry.Allows(entry, access))
            {
                throw new SegmentationFaultException(address, access, mapped: true);
            }

            if ((entry & PageEntry.Resident) == 0)
            {
                if (Interlocked.CompareExchange(ref *slot, PageEntry.MakeResident(entry), entry) != entry)
                {
                    continue;
                }

                CountFault();
            }

            return (byte*)(entry & PageEntry.HostMask) + (address & _offsetMask);
        }
    }

    private void CountFault()
    {
        Interlocked.Increment(ref _pageFaults);
        long resident = Interlocked.Increment(ref _residentPages);
        long peak;
        while (resident > (peak = Volatile.Read(ref _peakResidentPages))
            && Interlocked.CompareExchange(ref _peakResidentPages, resident, peak) != peak)
        {
        }
    }

    /// <summary>Throws the segmentation fault of the first byte of the range the access may not touch (touches nothing).</summary>
    private void CheckRange(ulong address, ulong length, MemoryAccessKind access)
    {
        ThrowIfDisposed();

        // A range that wraps past the end of the address space faults at the first page beyond the table.
        ulong lastAddress = length - 1 > ulong.MaxValue - address ? ulong.MaxValue : address + length - 1;
        ulong first = address >> _pageShift;
        ulong last = lastAddress >> _pageShift;
        for (ulong page = first; page <= last; page++)
        {
            ulong at = page == first ? address : page << _pageShift;
            if (page >= PageNumberLimit)
            {
                throw new SegmentationFaultException(at, access, mapped: false);
            }

            ulong entry = LoadEntry(page);
            if ((entry & PageEntry.Mapped) == 0)
            {
                throw new SegmentationFaultException(at, access, mapped: false);
            }

            if (!PageEntry.Allows(entry, access))
            {
                throw new SegmentationFaultException(at, access, mapped: true);
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong ReadUInt64Slow(ulong address)
    {
        if ((address & _offsetMask) <= _offsetMask - 7)
        {
            return Unsafe.ReadUnaligned<ulong>(TranslateSlow(address, MemoryAccessKind.Read));
        }

        Span<byte> bytes = stackalloc byte[sizeof(ulong)];
        Read(address, bytes);
        return BinaryPrimitives.ReadUInt64LittleEndian(bytes);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void WriteUInt64Slow(ulong address, ulong value)
    {
        if ((address & _offsetMask) <= _offsetMask - 7)
        {
            Unsafe.WriteUnaligned(TranslateSlow(address, MemoryAccessKind.Write), value);
            return;
        }

        Span<byte> bytes = stackalloc byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        Write(address, bytes);
    }
}
