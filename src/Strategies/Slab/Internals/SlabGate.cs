// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Allocators.Strategies.Slab;

/// <summary>
/// The allocator's lock: one compare-exchange to enter and one release store to leave, a third of what
/// <see cref="Lock"/> costs uncontended, which matters when the whole allocate or free is a magazine push or pop.
/// Contention spins with <see cref="SpinWait"/> (which yields and sleeps as it goes on). Not reentrant: a thread that
/// runs a constructor or destructor under the gate and calls back into its allocator gets an exception instead of a
/// deadlock: <see cref="EnterCallback"/> records that thread, and only the contended path looks at it.
/// </summary>
/// <remarks>A mutable struct: keep it in a non-readonly field and never copy it.</remarks>
internal struct SlabGate
{
    private int _taken;             // 1 while held
    private int _callbackThread;    // managed thread id running a callback under the gate, 0 when none

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Enter()
    {
        if (Interlocked.CompareExchange(ref _taken, 1, 0) != 0)
        {
            EnterContended();
        }
    }

    /// <summary>Takes the gate if it is free (one compare-exchange); false when it is held.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryEnter() => Interlocked.CompareExchange(ref _taken, 1, 0) == 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Exit() => Volatile.Write(ref _taken, 0);

    /// <summary>Marks the holder as running a callback, so a call back into the allocator from it throws.</summary>
    public void EnterCallback() => _callbackThread = Environment.CurrentManagedThreadId;

    /// <summary>Clears the mark of <see cref="EnterCallback"/>.</summary>
    public void LeaveCallback() => _callbackThread = 0;

    /// <summary>Waits for the gate (after <see cref="TryEnter"/> failed): throws on a call back from a callback, else spins until taken.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void EnterContended()
    {
        if (Volatile.Read(ref _callbackThread) == Environment.CurrentManagedThreadId)
        {
            SlabThrowHelper.Reentered();
        }

        var spinner = default(SpinWait);
        do
        {
            spinner.SpinOnce();
        }
        while (Volatile.Read(ref _taken) != 0 || Interlocked.CompareExchange(ref _taken, 1, 0) != 0);
    }
}
