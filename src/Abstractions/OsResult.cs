// Copyright (c) Allocators contributors. MIT License.

namespace Allocators;

/// <summary>The result of a simulated system call: a value on success, an errno on failure.</summary>
/// <param name="Value">The return value (an address for mmap/mremap, 0 for munmap/mprotect/madvise); <see cref="ulong.MaxValue"/> on failure.</param>
/// <param name="Error">The errno; <see cref="Errno.None"/> on success.</param>
public readonly record struct OsResult(ulong Value, Errno Error)
{
    /// <summary>The value Linux returns on failure: (void *) −1, MAP_FAILED.</summary>
    public const ulong Failed = ulong.MaxValue;

    /// <summary>Gets a value indicating whether the call succeeded.</summary>
    public bool Succeeded => Error == Errno.None;

    /// <summary>Creates a success result.</summary>
    public static OsResult Ok(ulong value) => new(value, Errno.None);

    /// <summary>Creates a failure result.</summary>
    public static OsResult Fail(Errno error) => new(Failed, error);
}
