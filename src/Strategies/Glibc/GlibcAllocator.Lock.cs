// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Allocators.Strategies.Glibc;

/// <content>
/// The allocator lock: one word taken with a single compare-exchange (0 → <see cref="AnonymousHolder"/>) and released
/// with a plain (release) store; no thread id is read on the fast path. Nothing inside the allocator takes the lock
/// twice (public members call the internal methods), so the lock is not re-entrant. The only way back in while it is
/// held is foreign code the allocator calls: the simulated system calls, whose <see cref="ISimulatedOs.SyscallObserver"/>
/// runs user code. Before each such call the holder records its managed thread id in the lock word
/// (<see cref="Sys"/>), so a re-entrant call from an observer finds its own id there and gets an
/// <see cref="InvalidOperationException"/> instead of spinning forever; other threads spin, then yield, as before.
/// </content>
public sealed partial class GlibcAllocator
{
    /// <summary>The lock word's value while held by a thread that has not called out to the OS yet.</summary>
    private const int AnonymousHolder = -1;

    /// <summary>0 when free; <see cref="AnonymousHolder"/>, or the holder's managed thread id (ids start at 1), when held.</summary>
    private int _lock;

    /// <summary>
    /// Gets the simulated OS for a system call (brk, mmap, munmap, mremap, mprotect, madvise) made under the lock:
    /// records the holder's thread id first, so that a call back into the allocator from the syscall observer is
    /// recognised as re-entry.
    /// </summary>
    private ISimulatedOs Sys
    {
        get
        {
            Volatile.Write(ref _lock, Environment.CurrentManagedThreadId);
            return _os;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private LockScope EnterLock()
    {
        AcquireLock();
        return new LockScope(this);
    }

    /// <summary>
    /// Takes the lock without a scope: for <see cref="Allocate"/> and <see cref="Free"/>, whose inline fast paths cannot
    /// throw and release it with <see cref="ExitLock"/> themselves, and whose other paths release it in a <c>finally</c>
    /// of the method they call (no protected region, so no frame slot and no spilled <c>this</c>, in the entry itself).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AcquireLock()
    {
        if (Interlocked.CompareExchange(ref _lock, AnonymousHolder, 0) != 0)
        {
            EnterLockSlow();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void EnterLockSlow()
    {
        int me = Environment.CurrentManagedThreadId;
        var spinner = default(SpinWait);
        while (true)
        {
            int holder = Volatile.Read(ref _lock);
            if (holder == me)
            {
                throw new InvalidOperationException(
                    "The glibc allocator was called again from a callback (such as ISimulatedOs.SyscallObserver) while one of its own calls was running on the same thread; it is not re-entrant.");
            }

            if (holder == 0 && Interlocked.CompareExchange(ref _lock, AnonymousHolder, 0) == 0)
            {
                return;
            }

            spinner.SpinOnce();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ExitLock() => Volatile.Write(ref _lock, 0);

    /// <summary>Releases the lock at the end of a <c>using</c> block.</summary>
    private readonly ref struct LockScope
    {
        private readonly GlibcAllocator _owner;

        public LockScope(GlibcAllocator owner) => _owner = owner;

        public void Dispose() => _owner.ExitLock();
    }
}
