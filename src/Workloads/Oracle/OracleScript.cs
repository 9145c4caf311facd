// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Allocators.Workloads.Oracle;

/// <summary>
/// A sequence of allocator operations run in a fresh process against the real glibc (<see cref="GlibcOracle"/>)
/// or against the simulated glibc (<see cref="SimulatedOracle"/>). Its text form (<see cref="ToString"/>,
/// <see cref="Parse"/>) is what the oracle program reads, so pinned regression tests can store scripts as text.
/// </summary>
/// <remarks>
/// Syntax: one operation per line; <c>#</c> starts a comment; numbers are decimal or <c>0x</c> hexadecimal.
/// Every pointer-returning operation defines the next slot (0, 1, 2, …), even when it returns null. A pointer
/// operand is a slot number with an optional signed byte delta (<c>3</c>, <c>3+16</c>, <c>3-8</c>) or <c>null</c>.
/// <code>
/// malloc N | calloc N M | realloc PTR N | memalign A N | aligned_alloc A N | posix_memalign A N | valloc N | pvalloc N
/// free PTR | usable PTR | trim PAD | mallopt PARAM VALUE | mallinfo2 | malloc_stats | malloc_info
/// poke PTR WIDTH VALUE | xor PTR WIDTH VALUE | fill PTR LENGTH BYTE | peek PTR | sbrk DELTA | block OFFSET LENGTH
/// </code>
/// </remarks>
public sealed class OracleScript
{
    private readonly OracleOperation[] _operations;

    /// <summary>Initializes a new instance from operations, checking that every slot is defined before it is used.</summary>
    /// <param name="operations">The operations in order.</param>
    /// <exception cref="ArgumentException">An operation refers to a slot that no earlier operation defined.</exception>
    public OracleScript(IEnumerable<OracleOperation> operations)
    {
        ArgumentNullException.ThrowIfNull(operations);
        _operations = [.. operations];
        var slots = 0;
        for (var i = 0; i < _operations.Length; i++)
        {
            var op = _operations[i];
            if (op.HasPointer && op.Slot >= slots)
            {
                throw new ArgumentException(
                    $"Operation {i} ({op}) uses slot {op.Slot}, but only {slots} slot(s) are defined before it.", nameof(operations));
            }

            if (op.AccessesMemory && op.Slot < 0)
            {
                throw new ArgumentException($"Operation {i} ({op}) accesses memory through the null pointer.", nameof(operations));
            }

            if (op.DefinesSlot)
            {
                slots++;
            }
        }

        SlotCount = slots;
    }

    /// <summary>Gets the operations in order.</summary>
    public IReadOnlyList<OracleOperation> Operations => _operations;

    /// <summary>Gets the number of slots the script defines.</summary>
    public int SlotCount { get; }

    /// <summary>Parses the text form.</summary>
    /// <param name="text">The script text.</param>
    /// <returns>The script.</returns>
    /// <exception cref="FormatException">A line is malformed; the message names the line number and its text.</exception>
    public static OracleScript Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var operations = new List<OracleOperation>();
        var slots = 0;
        var lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine;
            var hash = line.IndexOf('#', StringComparison.Ordinal);
            if (hash >= 0)
            {
                line = line[..hash];
            }

            var words = line.Split([' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0)
            {
                continue;
            }

            var reader = new LineReader(words, lineNumber, rawLine.TrimEnd('\r'), slots);
            var op = reader.Read();
            if (op.DefinesSlot)
            {
                slots++;
            }

            operations.Add(op);
        }

        return new OracleScript(operations);
    }

    /// <summary>Gets the text form: one operation per line, each pointer-returning line annotated with its slot.</summary>
    /// <returns>The script text, accepted by <see cref="Parse"/> and by the oracle program.</returns>
    public override string ToString()
    {
        var sb = new StringBuilder(_operations.Length * 16);
        var slot = 0;
        foreach (var op in _operations)
        {
            sb.Append(op.ToString());
            if (op.DefinesSlot)
            {
                sb.Append(CultureInfo.InvariantCulture, $"  # s{slot}");
                slot++;
            }

            sb.Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>Returns a script holding the first <paramref name="count"/> operations.</summary>
    /// <param name="count">The number of operations to keep.</param>
    /// <returns>The prefix.</returns>
    public OracleScript Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return new OracleScript(_operations.AsSpan(0, Math.Min(count, _operations.Length)).ToArray());
    }

    private sealed class LineReader(string[] words, int lineNumber, string text, int definedSlots)
    {
        public OracleOperation Read()
        {
            var name = words[0];
            var op = name switch
            {
                "malloc" => Expect(1, () => OracleOperation.Malloc(Unsigned(1))),
                "calloc" => Expect(2, () => OracleOperation.Calloc(Unsigned(1), Unsigned(2))),
                "realloc" => Expect(2, () => Pointer(1, (slot, delta) => OracleOperation.Realloc(slot, Unsigned(2), delta))),
                "memalign" => Expect(2, () => OracleOperation.Memalign(Unsigned(1), Unsigned(2))),
                "aligned_alloc" => Expect(2, () => OracleOperation.AlignedAlloc(Unsigned(1), Unsigned(2))),
                "posix_memalign" => Expect(2, () => OracleOperation.PosixMemalign(Unsigned(1), Unsigned(2))),
                "valloc" => Expect(1, () => OracleOperation.Valloc(Unsigned(1))),
                "pvalloc" => Expect(1, () => OracleOperation.Pvalloc(Unsigned(1))),
                "free" => Expect(1, () => Pointer(1, OracleOperation.Free)),
                "usable" => Expect(1, () => Pointer(1, OracleOperation.UsableSize)),
                "trim" => Expect(1, () => OracleOperation.Trim(Unsigned(1))),
                "mallopt" => Expect(2, () => OracleOperation.Mallopt(Int32(1), Int32(2))),
                "mallinfo2" => Expect(0, OracleOperation.Mallinfo2),
                "malloc_stats" => Expect(0, OracleOperation.MallocStats),
                "malloc_info" => Expect(0, OracleOperation.MallocInfo),
                "poke" => Expect(3, () => Pointer(1, (slot, delta) => OracleOperation.Poke(NonNull(slot), delta, Width(2), Signed(3)))),
                "xor" => Expect(3, () => Pointer(1, (slot, delta) => OracleOperation.Xor(NonNull(slot), delta, Width(2), Signed(3)))),
                "fill" => Expect(3, () => Pointer(1, (slot, delta) => OracleOperation.Fill(NonNull(slot), delta, Unsigned(2), Byte(3)))),
                "peek" => Expect(1, () => Pointer(1, (slot, delta) => OracleOperation.Peek(NonNull(slot), delta))),
                "sbrk" => Expect(1, () => OracleOperation.Sbrk(Signed(1))),
                "block" => Expect(2, () => Block(Unsigned(1), Unsigned(2))),
                "memstat" => Expect(0, OracleOperation.MemStat),
                _ => throw Error($"unknown operation '{name}'"),
            };
            return op;
        }

        private OracleOperation Expect(int operands, Func<OracleOperation> build)
        {
            if (words.Length - 1 != operands)
            {
                throw Error($"'{words[0]}' takes {operands} operand(s), found {words.Length - 1}");
            }

            return build();
        }

        private OracleOperation Pointer(int index, Func<int, long, OracleOperation> build)
        {
            var word = words[index];
            if (word == "null")
            {
                return build(-1, 0);
            }

            var split = word.IndexOfAny(['+', '-']);
            var slotText = split < 0 ? word : word[..split];
            if (!int.TryParse(slotText, NumberStyles.None, CultureInfo.InvariantCulture, out var slot))
            {
                throw Error($"'{word}' is not a slot (a slot number, optionally +N or -N, or null)");
            }

            if (slot >= definedSlots)
            {
                throw Error($"slot {slot} is not defined yet (only {definedSlots} slot(s) so far)");
            }

            long delta = 0;
            if (split >= 0)
            {
                var magnitude = ParseNumber(word[(split + 1)..], word);
                if (magnitude > (word[split] == '-' ? (ulong)long.MaxValue + 1 : long.MaxValue))
                {
                    throw Error($"the byte delta of '{word}' is out of range");
                }

                delta = word[split] == '-' ? (long)(0 - magnitude) : (long)magnitude;
            }

            return build(slot, delta);
        }

        private OracleOperation Block(ulong offset, ulong length)
            => offset % 4096 == 0 && offset <= long.MaxValue && length != 0
                ? OracleOperation.Block(offset, length)
                : throw Error("block needs a page-aligned offset and a nonzero length");

        private int NonNull(int slot) => slot >= 0 ? slot : throw Error($"'{words[0]}' cannot access memory through the null pointer");

        private ulong Unsigned(int index) => ParseNumber(words[index], words[index]);

        private long Signed(int index)
        {
            var word = words[index];
            var negative = word.StartsWith('-');
            var magnitude = ParseNumber(negative ? word[1..] : word, word);
            if (magnitude > (negative ? (ulong)long.MaxValue + 1 : long.MaxValue))
            {
                throw Error($"'{word}' is out of the signed 64-bit range");
            }

            return negative ? (long)(0 - magnitude) : (long)magnitude;
        }

        private int Int32(int index)
        {
            var value = Signed(index);
            return value is >= int.MinValue and <= int.MaxValue ? (int)value : throw Error($"'{words[index]}' is out of the int range");
        }

        private int Width(int index)
        {
            var value = Unsigned(index);
            return value is 1 or 2 or 4 or 8 ? (int)value : throw Error($"the store width '{words[index]}' must be 1, 2, 4 or 8");
        }

        private byte Byte(int index)
        {
            var value = Unsigned(index);
            return value <= byte.MaxValue ? (byte)value : throw Error($"the fill byte '{words[index]}' must be 0..255");
        }

        private ulong ParseNumber(string digits, string word)
        {
            var ok = digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                ? ulong.TryParse(digits.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)
                : ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value);
            return ok ? value : throw Error($"'{word}' is not a number (decimal or 0x hexadecimal, 64-bit)");
        }

        private FormatException Error(string problem) => new($"Oracle script line {lineNumber}: {problem}: '{text}'.");
    }
}
