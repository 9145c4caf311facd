// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Globalization;

namespace Allocators.Workloads.Oracle;

/// <summary>
/// One line of an <see cref="OracleScript"/>. Pointer operands name a slot (the result of the n-th pointer-returning
/// operation, counted from 0) plus a signed byte <see cref="Delta"/>; slot −1 is the null pointer.
/// Create instances with the static factory methods.
/// </summary>
public readonly record struct OracleOperation
{
    private OracleOperation(OracleOperationKind kind, int slot = -1, long delta = 0, ulong size = 0, ulong count = 0,
        ulong alignment = 0, int parameter = 0, long value = 0)
    {
        Kind = kind;
        Slot = slot;
        Delta = delta;
        Size = size;
        Count = count;
        Alignment = alignment;
        Parameter = parameter;
        Value = value;
    }

    /// <summary>Gets the operation.</summary>
    public OracleOperationKind Kind { get; }

    /// <summary>Gets the slot of the pointer operand, or −1 for the null pointer (or when there is no pointer operand).</summary>
    public int Slot { get; }

    /// <summary>Gets the signed byte offset added to the slot's pointer.</summary>
    public long Delta { get; }

    /// <summary>Gets the request size (malloc, calloc element size, realloc, memalign family), the trim pad, the poke width, the fill length or the block length.</summary>
    public ulong Size { get; }

    /// <summary>Gets the calloc element count.</summary>
    public ulong Count { get; }

    /// <summary>Gets the alignment of memalign, aligned_alloc and posix_memalign.</summary>
    public ulong Alignment { get; }

    /// <summary>Gets the mallopt parameter number (for example −3 for M_MMAP_THRESHOLD).</summary>
    public int Parameter { get; }

    /// <summary>Gets the mallopt value, the poke value, the fill byte, the sbrk delta or the block offset.</summary>
    public long Value { get; }

    /// <summary>Gets a value indicating whether the operation defines the next slot.</summary>
    public bool DefinesSlot => Kind is OracleOperationKind.Malloc or OracleOperationKind.Calloc or OracleOperationKind.Realloc
        or OracleOperationKind.Memalign or OracleOperationKind.AlignedAlloc or OracleOperationKind.PosixMemalign
        or OracleOperationKind.Valloc or OracleOperationKind.Pvalloc;

    /// <summary>Gets a value indicating whether the operation has a pointer operand.</summary>
    public bool HasPointer => Kind is OracleOperationKind.Realloc or OracleOperationKind.Free or OracleOperationKind.UsableSize
        or OracleOperationKind.Poke or OracleOperationKind.Xor or OracleOperationKind.Fill or OracleOperationKind.Peek;

    /// <summary>Gets a value indicating whether the operation reads or writes memory directly (poke, xor, fill, peek).</summary>
    public bool AccessesMemory => Kind is OracleOperationKind.Poke or OracleOperationKind.Xor or OracleOperationKind.Fill or OracleOperationKind.Peek;

    /// <summary>Creates <c>malloc(size)</c>.</summary>
    /// <param name="size">The request size.</param>
    /// <returns>The operation.</returns>
    public static OracleOperation Malloc(ulong size) => new(OracleOperationKind.Malloc, size: size);

    /// <summary>Creates <c>calloc(count, size)</c>.</summary>
    /// <param name="count">The element count.</param>
    /// <param name="size">The element size.</param>
    /// <returns>The operation.</returns>
    public static OracleOperation Calloc(ulong count, ulong size) => new(OracleOperationKind.Calloc, size: size, count: count);

    /// <summary>Creates <c>realloc(slot + delta, size)</c>; slot −1 passes the null pointer.</summary>
    /// <param name="slot">The slot of the old pointer, or −1.</param>
    /// <param name="size">The new size.</param>
    /// <param name="delta">A byte offset added to the pointer (0 for a correct program).</param>
    /// <returns>The operation.</returns>
    public static OracleOperation Realloc(int slot, ulong size, long delta = 0) => new(OracleOperationKind.Realloc, CheckSlot(slot, delta), delta, size);

    /// <summary>Creates <c>memalign(alignment, size)</c>.</summary>
    /// <param name="alignment">The alignment.</param>
    /// <param name="size">The request size.</param>
    /// <returns>The operation.</returns>
    public static OracleOperation Memalign(ulong alignment, ulong size) => new(OracleOperationKind.Memalign, size: size, alignment: alignment);

    /// <summary>Creates <c>aligned_alloc(alignment, size)</c>.</summary>
    /// <param name="alignment">The alignment.</param>
    /// <param name="size">The request size.</param>
    /// <returns>The operation.</returns>
    public static OracleOperation AlignedAlloc(ulong alignment, ulong size) => new(OracleOperationKind.AlignedAlloc, size: size, alignment: alignment);

    /// <summary>Creates <c>posix_memalign(&amp;p, alignment, size)</c>.</summary>
    /// <param name="alignment">The alignment.</param>
    /// <param name="size">The request size.</param>
    /// <returns>The operation.</returns>
    public static OracleOperation PosixMemalign(ulong alignment, ulong size) => new(OracleOperationKind.PosixMemalign, size: size, alignment: alignment);

    /// <summary>Creates <c>valloc(size)</c>.</summary>
    /// <param name="size">The request size.</param>
    /// <returns>The operation.</returns>
    public static OracleOperation Valloc(ulong size) => new(OracleOperationKind.Valloc, size: size);

    /// <summary>Creates <c>pvalloc(size)</c>.</summary>
    /// <param name="size">The request size.</param>
    /// <returns>The operation.</returns>
    public static OracleOperation Pvalloc(ulong size) => new(OracleOperationKind.Pvalloc, size: size);

    /// <summary>Creates <c>free(slot + delta)</c>; slot −1 frees the null pointer.</summary>
    /// <param name="slot">The slot, or −1.</param>
    /// <param name="delta">A byte offset added to the pointer (0 for a correct program).</param>
    /// <returns>The operation.</returns>
    public static OracleOperation Free(int slot, long delta = 0) => new(OracleOperationKind.Free, CheckSlot(slot, delta), delta);

    /// <summary>Creates <c>malloc_usable_size(slot + delta)</c>.</summary>
    /// <param name="slot">The slot, or −1.</param>
    /// <param name="delta">A byte offset added to the pointer.</param>
    /// <returns>The operation.</returns>
    public static OracleOperation UsableSize(int slot, long delta = 0) => new(OracleOperationKind.UsableSize, CheckSlot(slot, delta), delta);

    /// <summary>Creates <c>malloc_trim(pad)</c>.</summary>
    /// <param name="pad">The pad in bytes.</param>
    /// <returns>The operation.</returns>
    public static OracleOperation Trim(ulong pad) => new(OracleOperationKind.Trim, size: pad);

    /// <summary>Creates <c>mallopt(parameter, value)</c>.</summary>
    /// <param name="parameter">The parameter number (M_MXFAST 1, M_TRIM_THRESHOLD −1, M_TOP_PAD −2, M_MMAP_THRESHOLD −3, M_MMAP_MAX −4, …).</param>
    /// <param name="value">The value.</param>
    /// <returns>The operation.</returns>
    public static OracleOperation Mallopt(int parameter, int value) => new(OracleOperationKind.Mallopt, parameter: parameter, value: value);

    /// <summary>Creates <c>mallinfo2()</c>.</summary>
    /// <returns>The operation.</returns>
    public static OracleOperation Mallinfo2() => new(OracleOperationKind.Mallinfo2);

    /// <summary>Creates <c>malloc_stats()</c>.</summary>
    /// <returns>The operation.</returns>
    public static OracleOperation MallocStats() => new(OracleOperationKind.MallocStats);

    /// <summary>Creates <c>malloc_info(0, stderr)</c>.</summary>
    /// <returns>The operation.</returns>
    public static OracleOperation MallocInfo() => new(OracleOperationKind.MallocInfo);

    /// <summary>Creates a store of a <paramref name="width"/>-byte little-endian value at slot + delta.</summary>
    /// <param name="slot">The slot.</param>
    /// <param name="delta">The byte offset from the slot's pointer (negative reaches the chunk header).</param>
    /// <param name="width">1, 2, 4 or 8.</param>
    /// <param name="value">The value (its low <paramref name="width"/> bytes are stored).</param>
    /// <returns>The operation.</returns>
    public static OracleOperation Poke(int slot, long delta, int width, long value) => Store(OracleOperationKind.Poke, slot, delta, width, value);

    /// <summary>Creates an xor of the <paramref name="width"/>-byte little-endian word at slot + delta with <paramref name="value"/>.</summary>
    /// <param name="slot">The slot.</param>
    /// <param name="delta">The byte offset from the slot's pointer.</param>
    /// <param name="width">1, 2, 4 or 8.</param>
    /// <param name="value">The bits to flip.</param>
    /// <returns>The operation.</returns>
    public static OracleOperation Xor(int slot, long delta, int width, long value) => Store(OracleOperationKind.Xor, slot, delta, width, value);

    /// <summary>Creates a memset of <paramref name="length"/> bytes at slot + delta.</summary>
    /// <param name="slot">The slot.</param>
    /// <param name="delta">The byte offset from the slot's pointer.</param>
    /// <param name="length">The number of bytes.</param>
    /// <param name="value">The byte value.</param>
    /// <returns>The operation.</returns>
    public static OracleOperation Fill(int slot, long delta, ulong length, byte value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        return new(OracleOperationKind.Fill, slot, delta, length, value: value);
    }

    /// <summary>Creates a load of the 8-byte word at slot + delta.</summary>
    /// <param name="slot">The slot.</param>
    /// <param name="delta">The byte offset from the slot's pointer.</param>
    /// <returns>The operation.</returns>
    public static OracleOperation Peek(int slot, long delta)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        return new(OracleOperationKind.Peek, slot, delta);
    }

    /// <summary>Creates a foreign <c>sbrk(delta)</c> by the program.</summary>
    /// <param name="delta">The signed break increment.</param>
    /// <returns>The operation.</returns>
    public static OracleOperation Sbrk(long delta) => new(OracleOperationKind.Sbrk, value: delta);

    /// <summary>Creates a <c>memstat</c>: the process's resident bytes and minor page faults at this point.</summary>
    /// <returns>The operation.</returns>
    public static OracleOperation MemStat() => new(OracleOperationKind.MemStat);

    /// <summary>Creates a PROT_NONE mapping of <paramref name="length"/> bytes at the initial break + <paramref name="offset"/> that blocks the break's growth.</summary>
    /// <param name="offset">The page-aligned offset from the initial break.</param>
    /// <param name="length">The length in bytes (nonzero).</param>
    /// <returns>The operation.</returns>
    public static OracleOperation Block(ulong offset, ulong length)
    {
        if (offset % 4096 != 0 || offset > long.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, "The block offset must be page aligned.");
        }

        ArgumentOutOfRangeException.ThrowIfZero(length);
        return new(OracleOperationKind.Block, size: length, value: (long)offset);
    }

    /// <summary>Gets the operation as one script line (the syntax of <see cref="OracleScript.Parse"/>).</summary>
    /// <returns>The script line.</returns>
    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        return Kind switch
        {
            OracleOperationKind.Malloc => string.Create(c, $"malloc {Size}"),
            OracleOperationKind.Calloc => string.Create(c, $"calloc {Count} {Size}"),
            OracleOperationKind.Realloc => string.Create(c, $"realloc {PointerText()} {Size}"),
            OracleOperationKind.Memalign => string.Create(c, $"memalign {Alignment} {Size}"),
            OracleOperationKind.AlignedAlloc => string.Create(c, $"aligned_alloc {Alignment} {Size}"),
            OracleOperationKind.PosixMemalign => string.Create(c, $"posix_memalign {Alignment} {Size}"),
            OracleOperationKind.Valloc => string.Create(c, $"valloc {Size}"),
            OracleOperationKind.Pvalloc => string.Create(c, $"pvalloc {Size}"),
            OracleOperationKind.Free => $"free {PointerText()}",
            OracleOperationKind.UsableSize => $"usable {PointerText()}",
            OracleOperationKind.Trim => string.Create(c, $"trim {Size}"),
            OracleOperationKind.Mallopt => string.Create(c, $"mallopt {Parameter} {Value}"),
            OracleOperationKind.Mallinfo2 => "mallinfo2",
            OracleOperationKind.MallocStats => "malloc_stats",
            OracleOperationKind.MallocInfo => "malloc_info",
            OracleOperationKind.Poke => string.Create(c, $"poke {PointerText()} {Size} {Value}"),
            OracleOperationKind.Xor => string.Create(c, $"xor {PointerText()} {Size} {Value}"),
            OracleOperationKind.Fill => string.Create(c, $"fill {PointerText()} {Size} {Value}"),
            OracleOperationKind.Peek => $"peek {PointerText()}",
            OracleOperationKind.Sbrk => string.Create(c, $"sbrk {Value}"),
            OracleOperationKind.Block => string.Create(c, $"block 0x{Value:x} {Size}"),
            OracleOperationKind.MemStat => "memstat",
            _ => throw new InvalidOperationException($"Unknown oracle operation kind {Kind}."),
        };
    }

    private static OracleOperation Store(OracleOperationKind kind, int slot, long delta, int width, long value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        if (width is not (1 or 2 or 4 or 8))
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, "The store width must be 1, 2, 4 or 8.");
        }

        return new(kind, slot, delta, (ulong)width, value: value);
    }

    private static int CheckSlot(int slot, long delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slot, -1);
        if (slot < 0 && delta != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "The null pointer takes no byte delta.");
        }

        return slot;
    }

    private string PointerText()
    {
        if (Slot < 0)
        {
            return "null";
        }

        return Delta switch
        {
            0 => Slot.ToString(CultureInfo.InvariantCulture),
            > 0 => string.Create(CultureInfo.InvariantCulture, $"{Slot}+{Delta}"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{Slot}-{(ulong)(-(Delta + 1)) + 1}"),
        };
    }
}
