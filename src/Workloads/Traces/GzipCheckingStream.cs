// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace Allocators.Workloads;

/// <summary>
/// Decompresses gzip and, at the end, checks the trailer's ISIZE (uncompressed length modulo 2³²) against the bytes
/// produced: <see cref="GZipStream"/> ends silently on a truncated file, which must not look like a complete trace.
/// </summary>
internal sealed class GzipCheckingStream : Stream
{
    private readonly TailStream _tail;
    private readonly GZipStream _gzip;
    private readonly string _source;
    private ulong _produced;

    public GzipCheckingStream(Stream compressed, string source)
    {
        _tail = new TailStream(compressed);
        _gzip = new GZipStream(_tail, CompressionMode.Decompress, leaveOpen: false);
        _source = source;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        int n = _gzip.Read(buffer);
        _produced += (ulong)n;
        if (n == 0)
        {
            Span<byte> probe = stackalloc byte[1];
            bool more = _tail.Read(probe) != 0;
            if (more || _tail.TailLength < 8 || BinaryPrimitives.ReadUInt32LittleEndian(_tail.Tail[4..]) != (uint)_produced)
            {
                throw new TraceFormatException("the gzip data is truncated (its trailer does not match the data)", _source);
            }
        }

        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _gzip.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Passes reads through and remembers the last 8 bytes seen.</summary>
    private sealed class TailStream : Stream
    {
        private readonly Stream _inner;
        private readonly byte[] _tail = new byte[8];

        public TailStream(Stream inner) => _inner = inner;

        public int TailLength { get; private set; }

        public ReadOnlySpan<byte> Tail => _tail.AsSpan(8 - TailLength);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = _inner.Read(buffer);
            if (n >= 8)
            {
                buffer.Slice(n - 8, 8).CopyTo(_tail);
                TailLength = 8;
            }
            else if (n > 0)
            {
                int keep = Math.Min(8 - n, TailLength);
                _tail.AsSpan(8 - keep, keep).CopyTo(_tail.AsSpan(8 - keep - n));
                buffer[..n].CopyTo(_tail.AsSpan(8 - n));
                TailLength = keep + n;
            }

            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
