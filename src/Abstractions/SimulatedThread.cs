// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Runtime.CompilerServices;

namespace Allocators;

/// <summary>
/// The simulated thread id of the calling host thread. A replayer enters the recorded tid around each call so that
/// strategies can keep per-thread arenas and caches; code that never enters one runs as thread 0, the main thread.
/// </summary>
/// <remarks>
/// Until some host thread enters a thread other than 0, every caller is thread 0 and <see cref="CurrentId"/> reads one
/// process-wide flag instead of the thread-static (a thread-static read costs a call into the runtime's TLS lookup,
/// about 1 ns, on every allocator call). Once set, the flag stays set. The getter is inlined into its callers (the flag's
/// load and a branch); the thread-static read behind it is one call away, so the JIT's inlining budget never leaves the
/// whole getter a call.
/// </remarks>
public static class SimulatedThread
{
    [ThreadStatic]
    private static int t_currentId;

    /// <summary>Whether any host thread ever entered a simulated thread other than 0.</summary>
    private static volatile bool s_anyEntered;

    /// <summary>Gets the simulated thread id of the caller (0 when none was entered: the main thread).</summary>
    public static int CurrentId
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => s_anyEntered ? EnteredId() : 0;
    }

    /// <summary>Makes <paramref name="tid"/> the caller's simulated thread until the returned scope is disposed.</summary>
    public static Scope Enter(int tid)
    {
        int previous = t_currentId;
        Set(tid);
        return new Scope(previous);
    }

    /// <summary>Sets the caller's simulated thread without a scope (replay loops switch it on every call).</summary>
    public static void Set(int tid)
    {
        if (tid != 0 && !s_anyEntered)
        {
            s_anyEntered = true;
        }

        t_currentId = tid;
    }

    /// <summary>The caller's thread-static id, read once some host thread entered a thread other than 0.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int EnteredId() => t_currentId;

    /// <summary>Restores the previous simulated thread on dispose.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly int _previous;

        internal Scope(int previous) => _previous = previous;

        /// <inheritdoc/>
        public void Dispose() => t_currentId = _previous;
    }
}
