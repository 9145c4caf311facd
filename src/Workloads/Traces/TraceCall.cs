// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Globalization;

namespace Allocators.Workloads;

/// <summary>
/// One recorded allocation call: the caller's thread, the function and its arguments, the result and the optional
/// facts (<c># hdr=</c>, <c># usable=</c>) of a trace line. See <c>trace-format.md</c>.
/// </summary>
/// <remarks>
/// The two raw arguments are kept as <see cref="Argument1"/> and <see cref="Argument2"/>; the named accessors
/// (<see cref="Size"/>, <see cref="Count"/>, <see cref="Alignment"/>, <see cref="Pointer"/>) interpret them by
/// <see cref="Kind"/>. Equality compares every field, <see cref="Line"/> included.
/// </remarks>
public readonly record struct TraceCall
{
    private readonly byte _facts;

    /// <summary>Creates a call from its raw fields.</summary>
    /// <param name="tid">The caller's thread id.</param>
    /// <param name="kind">The function.</param>
    /// <param name="argument1">size (m), count (c), pointer (r), alignment (a), pointer (f).</param>
    /// <param name="argument2">0 (m, f), size (c, r, a).</param>
    /// <param name="result">The returned pointer (0 = null; 0 for free).</param>
    /// <param name="line">The 1-based line (or record) number in its trace, 0 when unknown.</param>
    public TraceCall(int tid, TraceCallKind kind, ulong argument1, ulong argument2, ulong result, long line = 0)
    {
        Tid = tid;
        Kind = kind;
        Argument1 = argument1;
        Argument2 = argument2;
        Result = result;
        Line = line;
    }

    /// <summary>Gets the caller's thread id (Linux gettid()).</summary>
    public int Tid { get; init; }

    /// <summary>Gets the function called.</summary>
    public TraceCallKind Kind { get; init; }

    /// <summary>Gets the first raw argument: size (m), count (c), pointer (r, f) or alignment (a).</summary>
    public ulong Argument1 { get; init; }

    /// <summary>Gets the second raw argument: size (c, r, a); 0 for m and f.</summary>
    public ulong Argument2 { get; init; }

    /// <summary>Gets the returned pointer (0 for null, and for free).</summary>
    public ulong Result { get; init; }

    /// <summary>Gets the 1-based line number in the text trace (the record number in a binary trace); 0 when unknown.</summary>
    public long Line { get; init; }

    /// <summary>Gets the chunk size word before the result (<c># hdr=</c>), when <see cref="HasHeader"/>.</summary>
    public ulong Header { get; init; }

    /// <summary>Gets malloc_usable_size(result) (<c># usable=</c>), when <see cref="HasUsable"/>.</summary>
    public ulong Usable { get; init; }

    /// <summary>Gets a value indicating whether the line carried a <c># hdr=</c> fact.</summary>
    public bool HasHeader
    {
        get => (_facts & 1) != 0;
        init => _facts = (byte)(value ? _facts | 1 : _facts & ~1);
    }

    /// <summary>Gets a value indicating whether the line carried a <c># usable=</c> fact.</summary>
    public bool HasUsable
    {
        get => (_facts & 2) != 0;
        init => _facts = (byte)(value ? _facts | 2 : _facts & ~2);
    }

    /// <summary>Gets the requested size: m, c (per element), r and a; 0 for free.</summary>
    public ulong Size => Kind switch
    {
        TraceCallKind.Malloc => Argument1,
        TraceCallKind.Free => 0,
        _ => Argument2,
    };

    /// <summary>Gets the element count of a calloc (1 for the others, 0 for free).</summary>
    public ulong Count => Kind switch
    {
        TraceCallKind.Calloc => Argument1,
        TraceCallKind.Free => 0,
        _ => 1,
    };

    /// <summary>Gets the alignment of a memalign call (0 for the others).</summary>
    public ulong Alignment => Kind == TraceCallKind.Memalign ? Argument1 : 0;

    /// <summary>Gets the pointer argument of realloc and free (0 for the others).</summary>
    public ulong Pointer => Kind is TraceCallKind.Realloc or TraceCallKind.Free ? Argument1 : 0;

    /// <summary>Gets the bytes the call asks for: size, or count × size for calloc (saturating); 0 for free.</summary>
    public ulong RequestedBytes
    {
        get
        {
            if (Kind != TraceCallKind.Calloc)
            {
                return Size;
            }

            ulong product = unchecked(Argument1 * Argument2);
            return Argument1 != 0 && product / Argument1 != Argument2 ? ulong.MaxValue : product;
        }
    }

    /// <summary>Creates a malloc call.</summary>
    public static TraceCall Malloc(int tid, ulong size, ulong result) => new(tid, TraceCallKind.Malloc, size, 0, result);

    /// <summary>Creates a calloc call.</summary>
    public static TraceCall Calloc(int tid, ulong count, ulong size, ulong result) => new(tid, TraceCallKind.Calloc, count, size, result);

    /// <summary>Creates a realloc call.</summary>
    public static TraceCall Realloc(int tid, ulong pointer, ulong size, ulong result) => new(tid, TraceCallKind.Realloc, pointer, size, result);

    /// <summary>Creates a memalign call.</summary>
    public static TraceCall Memalign(int tid, ulong alignment, ulong size, ulong result) => new(tid, TraceCallKind.Memalign, alignment, size, result);

    /// <summary>Creates a free call.</summary>
    public static TraceCall Free(int tid, ulong pointer) => new(tid, TraceCallKind.Free, pointer, 0, 0);

    /// <summary>Formats the call as one line of the text format (facts included, no line terminator).</summary>
    public override string ToString()
    {
        Span<byte> buffer = stackalloc byte[TraceTextFormat.MaxLineLength];
        int length = TraceTextFormat.FormatCall(this, buffer);
        return System.Text.Encoding.ASCII.GetString(buffer[..length]);
    }

    /// <summary>Formats a pointer as the text format does: <c>(nil)</c> or <c>0x…</c>.</summary>
    public static string FormatPointer(ulong pointer) =>
        pointer == 0 ? "(nil)" : "0x" + pointer.ToString("x", CultureInfo.InvariantCulture);
}
