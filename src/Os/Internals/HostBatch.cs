// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Os.Internals;

/// <summary>
/// Coalesces host pages into contiguous runs so that releasing a range costs one host system call per run rather
/// than one per page. A discarded run up to <see cref="ZeroInPlaceBytes"/> is zeroed in place instead: a host
/// madvise or munmap costs tens of microseconds (TLB shootdown), clearing a few pages far less.
/// </summary>
internal struct HostBatch
{
    /// <summary>Discarded runs up to this size are zeroed rather than given back to the host.</summary>
    public const ulong ZeroInPlaceBytes = 64 * 1024;

    private readonly bool _unmap;
    private nint _start;
    private ulong _length;

    /// <summary>Initializes a batch that unmaps (<paramref name="unmap"/> true) or discards its runs.</summary>
    public HostBatch(bool unmap)
    {
        _unmap = unmap;
        _start = 0;
        _length = 0;
    }

    /// <summary>Adds a host page (or run); flushes the previous run when this one does not continue it.</summary>
    public void Add(nint host, ulong length)
    {
        if (_length != 0 && _start + (nint)_length == host)
        {
            _length += length;
            return;
        }

        Flush();
        _start = host;
        _length = length;
    }

    /// <summary>Releases the pending run.</summary>
    public void Flush()
    {
        if (_length == 0)
        {
            return;
        }

        if (_unmap)
        {
            HostMemory.Unmap(_start, _length);
        }
        else if (_length <= ZeroInPlaceBytes)
        {
            unsafe
            {
                new System.Span<byte>((void*)_start, (int)_length).Clear();
            }
        }
        else
        {
            HostMemory.Discard(_start, _length);
        }

        _length = 0;
    }
}
