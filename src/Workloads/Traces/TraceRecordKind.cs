// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Workloads;

/// <summary>What a <see cref="TraceRecord"/> holds.</summary>
public enum TraceRecordKind : byte
{
    /// <summary>An allocation call (<see cref="TraceRecord.Call"/>).</summary>
    Call,

    /// <summary><c># heap-start 0x…</c>: the program break before the first call (<see cref="TraceRecord.Address"/>).</summary>
    HeapStart,

    /// <summary><c># brk 0x…</c>: the call above moved the program break to <see cref="TraceRecord.Address"/>.</summary>
    Brk,

    /// <summary>
    /// <c># thread-exit TID</c>: the thread ended here (<see cref="TraceRecord.ThreadId"/>); the allocator's thread-exit
    /// work (glibc: tcache_thread_shutdown, the arena going on the free list) ran before the next record.
    /// </summary>
    ThreadExit,
}
