// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Allocators.Strategies.Glibc;

/// <content>
/// The allocator lock: one owner word taken with a single compare-exchange and released with a plain (release)
/// store, re-entrant on the owning thread like the <see cref="Lock"/> it replaces, spinning then yielding when
/// another thread holds it. Uncontended, it costs one atomic instruction per call instead of two plus two calls.
/// </content>
public sealed partial class GlibcAllocator
{
    /// <summary>The managed thread id of the holder; 0 when free (managed thread ids start at 1).</summary>
    private int _lockOwner;

    /// <summary>Nested acquisitions by the holder beyond the first.</summary>
    private int _lockRecursion;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private LockScope EnterLock()
    {
        int me = Environment.CurrentManagedThreadId;
        if (Interlocked.CompareExchange(ref _lockOwner, me, 0) != 0)
        {
            EnterLockSlow(me);
        }

        return new LockScope(this);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void EnterLockSlow(int me)
    {
        if (Volatile.Read(ref _lockOwner) == me)
        {
            _lockRecursion++;
            return;
        }

        var spinner = default(SpinWait);
        while (Volatile.Read(ref _lockOwner) != 0 || Interlocked.CompareExchange(ref _lockOwner, me, 0) != 0)
        {
            spinner.SpinOnce();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ExitLock()
    {
        if (_lockRecursion != 0)
        {
            _lockRecursion--;
            return;
        }

        Volatile.Write(ref _lockOwner, 0);
    }

    /// <summary>Releases the lock at the end of a <c>using</c> block.</summary>
    private readonly ref struct LockScope
    {
        private readonly GlibcAllocator _owner;

        public LockScope(GlibcAllocator owner) => _owner = owner;

        public void Dispose() => _owner.ExitLock();
    }
}
