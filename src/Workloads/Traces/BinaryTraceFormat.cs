// Copyright (c) Allocators contributors. MIT License.

using System;

namespace Allocators.Workloads;

/// <summary>Constants of the binary trace format (see src/Workloads/README.md).</summary>
internal static class BinaryTraceFormat
{
    /// <summary>The largest encoded record: tag, tid, three pointers/values and two facts, each at most 10 bytes.</summary>
    public const int MaxRecordLength = 1 + (10 * 6);

    public const byte KindMask = 0x07;
    public const byte KindMalloc = 0;
    public const byte KindCalloc = 1;
    public const byte KindRealloc = 2;
    public const byte KindMemalign = 3;
    public const byte KindFree = 4;
    public const byte KindHeapStart = 5;
    public const byte KindBrk = 6;
    public const byte KindEnd = 7;

    /// <summary>The tag of a <c># thread-exit</c> record (the end kind with the new-tid flag), followed by the tid as a varint.</summary>
    public const byte TagThreadExit = KindEnd | FlagNewTid;

    public const byte FlagNewTid = 0x08;
    public const byte FlagHeader = 0x10;
    public const byte FlagUsable = 0x20;
    public const byte FlagNullResult = 0x40;
    public const byte FlagNullPointer = 0x80;

    /// <summary>Gets the 8 magic bytes that open a binary trace: <c>ALTRACE</c> and the version 1.</summary>
    public static ReadOnlySpan<byte> Magic => [(byte)'A', (byte)'L', (byte)'T', (byte)'R', (byte)'A', (byte)'C', (byte)'E', 1];

    public static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    public static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);
}
