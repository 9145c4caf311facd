// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.Numerics;
using System.Threading;
using Allocators.Os.Internals;
using Microsoft.Extensions.Options;

namespace Allocators.Os;

/// <summary>
/// A simulated Linux x86-64 process address space: the program break, anonymous mappings, demand paging, real
/// contents, limits and fault injection (see the README of this project for the semantics chosen).
/// </summary>
/// <remarks>
/// System calls run under one lock. Memory accesses take no lock: an address is translated through a 3-level page
/// table whose entries hold the host address of the page and its access bits, so a load or store of a resident
/// page is a table walk, a bit test and a host memory access. Simulated memory is backed by host memory obtained
/// from the host kernel with MAP_NORESERVE, so only touched pages cost host memory. Requires a Linux host.
/// Dispose releases all host memory; a finalizer does so when Dispose is forgotten.
/// </remarks>
public sealed unsafe partial class SimulatedOs : ISimulatedOs, IDisposable
{
    private static readonly SimulatedOsOptionsValidator s_validator = new();

    private readonly Lock _lock = new();
    private readonly int _pageSize;
    private readonly int _pageShift;
    private readonly ulong _offsetMask;
    private readonly ulong _initialBreak;
    private readonly ulong _mmapBase;
    private readonly ulong _mmapMinAddress;
    private readonly ulong _taskSize;
    private readonly ulong _heapReservation;
    private readonly ulong _heapHugeBytes;
    private readonly ulong _maxMappingBytes;
    private readonly ulong _windowLow;
    private nint _heapHost;
    private nint _windowHost;

    private ulong _break;
    private ulong _vszBytes;
    private ulong _peakVszBytes;
    private ulong _dataBytes;
    private long _residentPages;
    private long _peakResidentPages;
    private long _pageFaults;

    private long _sequence;
    private long _brkCalls;
    private long _brkRequests;
    private long _mmapCalls;
    private long _munmapCalls;
    private long _mremapCalls;
    private long _mprotectCalls;
    private long _madviseCalls;
    private long _failedCalls;
    private Action<SyscallRecord>? _observer;
    private bool _disposed;

    /// <summary>Initializes a new process with the given layout, limits and faults (defaults when null).</summary>
    /// <param name="options">The options; validated by <see cref="SimulatedOsOptionsValidator"/>.</param>
    /// <exception cref="OptionsValidationException">The options are invalid (every failure is listed).</exception>
    /// <exception cref="PlatformNotSupportedException">The host is not Linux.</exception>
    /// <exception cref="OutOfMemoryException">The host refused to reserve address space for the heap.</exception>
    public SimulatedOs(SimulatedOsOptions? options = null)
    {
        options ??= new SimulatedOsOptions();
        ValidateOptionsResult validation = s_validator.Validate(Options.DefaultName, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(SimulatedOsOptions), validation.Failures);
        }

        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("SimulatedOs backs simulated memory with host mmap and needs a Linux host.");
        }

        _pageSize = options.PageSize;
        _pageShift = BitOperations.TrailingZeroCount(options.PageSize);
        _offsetMask = (ulong)options.PageSize - 1;
        _taskSize = SimulatedOsOptionsValidator.AddressSpaceEnd - (ulong)_pageSize;
        _initialBreak = options.BreakStart;
        _break = options.BreakStart;
        _mmapBase = options.MmapBase;
        _searchCeiling = options.MmapBase;
        _mmapMinAddress = PageCeil(options.MmapMinAddress);
        _heapReservation = Math.Min(options.HeapReservationBytes, _taskSize - _initialBreak);
        _heapHugeBytes = Math.Min(options.HeapHugePageBytes, _heapReservation & ~(SimulatedOsOptions.HostHugePageBytes - 1));
        _maxMappingBytes = options.MaxMappingBytes;
        Limits = new SimulatedOsLimits(options);
        Faults = new SimulatedOsFaults(options);

        _windowLow = options.MmapBase - Math.Min(options.MmapReservationBytes, options.MmapBase - _mmapMinAddress);
        if (TakeSpareReservation(_heapReservation, _heapHugeBytes, _mmapBase - _windowLow, out _heapHost, out _windowHost))
        {
            InitializePageTable();
            return;
        }

        _heapHost = ReserveHost(_heapReservation, _heapHugeBytes != 0 ? SimulatedOsOptions.HostHugePageBytes : 1);
        if (_heapHost == 0)
        {
            throw new OutOfMemoryException($"The host refused to reserve {_heapReservation} bytes of address space for the simulated heap.");
        }

        if (_heapHugeBytes != 0)
        {
            // A hint: without transparent huge pages on the host the heap stays in small pages (only slower).
            _ = HostMemory.AdviseHugePages(_heapHost, _heapHugeBytes);
        }

        _windowHost = ReserveHost(_mmapBase - _windowLow, 1);
        if (_windowHost == 0)
        {
            Release();
            throw new OutOfMemoryException($"The host refused to reserve {_mmapBase - _windowLow} bytes of address space for the simulated mmap area.");
        }

        InitializePageTable();
    }

    /// <summary>Finalizes the process, releasing host memory when <see cref="Dispose"/> was not called.</summary>
    ~SimulatedOs() => Release();

    /// <inheritdoc/>
    public int PageSize => _pageSize;

    /// <inheritdoc/>
    public ulong InitialBreak => _initialBreak;

    /// <inheritdoc/>
    public ulong CurrentBreak => Volatile.Read(ref _break);

    /// <summary>Gets the mmap base: top-down placement starts just below it.</summary>
    public ulong MmapBase => _mmapBase;

    /// <summary>Gets the resource limits, adjustable at any time.</summary>
    public SimulatedOsLimits Limits { get; }

    /// <summary>Gets the fault injection, adjustable at any time.</summary>
    public SimulatedOsFaults Faults { get; }

    /// <inheritdoc/>
    public Action<SyscallRecord>? SyscallObserver
    {
        get => Volatile.Read(ref _observer);
        set => Volatile.Write(ref _observer, value);
    }

    /// <summary>Gets the number of mappings (VMAs), the heap included.</summary>
    public int MapCount
    {
        get
        {
            lock (_lock)
            {
                return _vmas.Count;
            }
        }
    }

    /// <inheritdoc/>
    public OsStatistics GetStatistics()
    {
        lock (_lock)
        {
            return new OsStatistics
            {
                RssBytes = (ulong)Interlocked.Read(ref _residentPages) << _pageShift,
                PeakRssBytes = (ulong)Interlocked.Read(ref _peakResidentPages) << _pageShift,
                VszBytes = _vszBytes,
                PeakVszBytes = _peakVszBytes,
                PageFaults = Interlocked.Read(ref _pageFaults),
                BreakStart = _initialBreak,
                Break = _break,
                MapCount = _vmas.Count,
                Brk = _brkCalls,
                Mmap = _mmapCalls,
                Munmap = _munmapCalls,
                Mremap = _mremapCalls,
                Mprotect = _mprotectCalls,
                Madvise = _madviseCalls,
                FailedSyscalls = _failedCalls,
            };
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<MappingInfo> GetMappings()
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            var result = new MappingInfo[_vmas.Count];
            for (int i = 0; i < result.Length; i++)
            {
                Vma v = _vmas[i];
                result[i] = new MappingInfo(v.Start, v.End, v.Protection, v.IsHeap, CountResidentPages(v.Start, v.End) << _pageShift);
            }

            return result;
        }
    }

    /// <summary>Releases every host resource: the simulated memory is gone; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
    }

    private void Release()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            NoteLoss(0, ulong.MaxValue);
            bool recycle = false;
            if (_root is not null)
            {
                var unmap = new HostBatch(unmap: true);
                long residentReserved = 0;
                foreach (Vma v in _vmas)
                {
                    for (ulong page = v.Start >> _pageShift, last = v.End >> _pageShift; page < last; page++)
                    {
                        ulong entry = LoadEntry(page);
                        if ((entry & (PageEntry.Mapped | PageEntry.Reserved)) == PageEntry.Mapped)
                        {
                            unmap.Add((nint)(entry & PageEntry.HostMask), (ulong)_pageSize);
                        }
                        else if ((entry & (PageEntry.Reserved | PageEntry.Resident)) == (PageEntry.Reserved | PageEntry.Resident))
                        {
                            residentReserved++;
                        }
                    }
                }

                unmap.Flush();
                recycle = _heapHost != 0 && _windowHost != 0 && residentReserved <= MaxRecycledPages && ZeroResidentReservedPages();
                FreePageTable();
            }

            _vmas.Clear();
            if (recycle && OfferSpareReservation(_heapHost, _heapReservation, _heapHugeBytes, _windowHost, _mmapBase - _windowLow))
            {
                _heapHost = 0;
                _windowHost = 0;
            }

            if (_heapHost != 0)
            {
                HostMemory.Unmap(_heapHost, _heapReservation);
                _heapHost = 0;
            }

            if (_windowHost != 0)
            {
                HostMemory.Unmap(_windowHost, _mmapBase - _windowLow);
                _windowHost = 0;
            }
        }
    }

    /// <summary>
    /// Reserves host address space. When the host refuses, undisposed processes waiting for their finalizers may be
    /// holding it (each reserves the heap and mmap window), so collect them once and retry. The start is a multiple of
    /// <paramref name="alignment"/> (1: any page).
    /// </summary>
    private static nint ReserveHost(ulong bytes, ulong alignment)
    {
        nint host = alignment > 1 ? HostMemory.MapAligned(bytes, alignment) : HostMemory.Map(bytes);
        if (host == 0)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            host = alignment > 1 ? HostMemory.MapAligned(bytes, alignment) : HostMemory.Map(bytes);
        }

        return host;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>Rounds up to a page; returns 0 on overflow (callers treat 0 as "too large").</summary>
    private ulong PageCeil(ulong value) => value > ulong.MaxValue - _offsetMask ? 0 : (value + _offsetMask) & ~_offsetMask;

    private bool IsPageAligned(ulong value) => (value & _offsetMask) == 0;

    /// <summary>
    /// Finds host backing for new non-heap pages [start, start + bytes): the mmap window when the range lies inside
    /// it (no host call at all), else a host mapping of its own. Returns 0 when the host refuses.
    /// </summary>
    private nint AcquireBacking(ulong start, ulong bytes, out bool reserved)
    {
        if (start >= _windowLow && start + bytes <= _mmapBase)
        {
            reserved = true;
            return _windowHost + (nint)(start - _windowLow);
        }

        reserved = false;
        return HostMemory.Map(bytes);
    }
}
