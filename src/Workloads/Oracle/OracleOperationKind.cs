// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads.Oracle;

/// <summary>The operations an <see cref="OracleScript"/> can contain; each maps to one C library call or one memory access.</summary>
public enum OracleOperationKind
{
    /// <summary><c>malloc N</c>: defines a slot.</summary>
    Malloc,

    /// <summary><c>calloc N M</c>: defines a slot.</summary>
    Calloc,

    /// <summary><c>realloc PTR N</c>: defines a slot with the new pointer.</summary>
    Realloc,

    /// <summary><c>memalign A N</c>: defines a slot.</summary>
    Memalign,

    /// <summary><c>aligned_alloc A N</c>: defines a slot.</summary>
    AlignedAlloc,

    /// <summary><c>posix_memalign A N</c>: defines a slot (null when the call fails) and reports the return code.</summary>
    PosixMemalign,

    /// <summary><c>valloc N</c>: defines a slot.</summary>
    Valloc,

    /// <summary><c>pvalloc N</c>: defines a slot.</summary>
    Pvalloc,

    /// <summary><c>free PTR</c>.</summary>
    Free,

    /// <summary><c>usable PTR</c>: malloc_usable_size.</summary>
    UsableSize,

    /// <summary><c>trim PAD</c>: malloc_trim, reporting its return value.</summary>
    Trim,

    /// <summary><c>mallopt PARAM VALUE</c>, reporting its return value.</summary>
    Mallopt,

    /// <summary><c>mallinfo2</c>, reporting its ten fields.</summary>
    Mallinfo2,

    /// <summary><c>malloc_stats</c>: the text it writes to stderr.</summary>
    MallocStats,

    /// <summary><c>malloc_info</c>: the XML it writes (to stderr in the oracle program).</summary>
    MallocInfo,

    /// <summary><c>poke PTR WIDTH VALUE</c>: stores a 1, 2, 4 or 8 byte little-endian value (a buggy program's write).</summary>
    Poke,

    /// <summary><c>fill PTR LENGTH BYTE</c>: memset.</summary>
    Fill,

    /// <summary><c>peek PTR</c>: loads the 8-byte word at the pointer.</summary>
    Peek,

    /// <summary><c>xor PTR WIDTH VALUE</c>: xors the 1, 2, 4 or 8 byte little-endian word at the pointer (a corruption independent of address randomization).</summary>
    Xor,

    /// <summary><c>block OFFSET LENGTH</c>: maps PROT_NONE pages at the initial break + offset (MAP_FIXED_NOREPLACE), so the break cannot grow past them; reports 0, or −1 on failure.</summary>
    Block,

    /// <summary><c>sbrk DELTA</c>: a foreign sbrk by the program, reporting the old break as an offset (or −1).</summary>
    Sbrk,

    /// <summary><c>memstat</c>: the whole process's resident bytes and minor page faults (absolute; compare differences).</summary>
    MemStat,
}
