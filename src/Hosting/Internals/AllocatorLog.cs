// Copyright (c) Allocators contributors. MIT License.

using System;
using Microsoft.Extensions.Logging;

namespace Allocators.Hosting;

/// <summary>The hosting layer's log messages (source-generated: no allocation when a level is off).</summary>
internal static partial class AllocatorLog
{
    /// <summary>The logger category.</summary>
    public const string Category = "Allocators.Hosting";

    [LoggerMessage(EventId = 1, EventName = "OsRefusal", Level = LogLevel.Warning,
        Message = "Allocator {AllocatorName} ({Strategy}): the simulated OS refused a system call: {Syscall}")]
    public static partial void OsRefusal(ILogger logger, string allocatorName, string strategy, string syscall);

    [LoggerMessage(EventId = 2, EventName = "HeapCorruption", Level = LogLevel.Error,
        Message = "Allocator {AllocatorName} ({Strategy}): heap integrity error in {Operation} at 0x{Address:x}: {Check}")]
    public static partial void HeapCorruption(ILogger logger, string allocatorName, string strategy, string operation, ulong address, string check, Exception exception);

    [LoggerMessage(EventId = 3, EventName = "InvalidPointer", Level = LogLevel.Error,
        Message = "Allocator {AllocatorName} ({Strategy}): invalid argument to {Operation} at 0x{Address:x}: {Problem}")]
    public static partial void InvalidPointer(ILogger logger, string allocatorName, string strategy, string operation, ulong address, string problem, Exception exception);

    [LoggerMessage(EventId = 4, EventName = "AllocatorCreated", Level = LogLevel.Debug,
        Message = "Allocator {AllocatorName} ({Strategy}) created on its own simulated process (page size {PageSize})")]
    public static partial void Created(ILogger logger, string allocatorName, string strategy, int pageSize);
}
