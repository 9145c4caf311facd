// Copyright (c) Allocators contributors. MIT License.

using System.Runtime.CompilerServices;
using System.Threading;

namespace Allocators.Strategies.Buddy;

/// <summary>
/// The buddy allocator's lock: one atomic exchange to enter (an <c>xchg</c>: cheaper than a compare-and-swap, and setting an already set flag changes nothing), a release store to leave (a monitor pays for owner tracking and
/// recursion the allocator does not need). Waiters spin, then yield and sleep (<see cref="SpinWait"/>), so a preempted holder
/// costs no more than a monitor's waiters would. Not re-entrant: no allocator path takes it twice.
/// </summary>
internal struct BuddySpinLock
{
    private int _held;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Enter()
    {
        if (Interlocked.Exchange(ref _held, 1) != 0)
        {
            EnterContended();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Exit() => Volatile.Write(ref _held, 0);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void EnterContended()
    {
        var spin = default(SpinWait);
        do
        {
            spin.SpinOnce();
        }
        while (Volatile.Read(ref _held) != 0 || Interlocked.Exchange(ref _held, 1) != 0);
    }
}
