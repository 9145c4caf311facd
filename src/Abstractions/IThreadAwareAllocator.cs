// Copyright (c) Allocators contributors. MIT License.

namespace Allocators;

/// <summary>
/// An allocator that keeps state per simulated thread (<see cref="SimulatedThread"/>) — a thread cache, an arena
/// attachment — and releases it when the thread ends, as the real allocator does at thread exit.
/// </summary>
/// <remarks>
/// Replaying a trace calls <see cref="ThreadExit"/> at each <c># thread-exit</c> record. After the call, the id is
/// free: a later call made with it starts a new thread with no state.
/// </remarks>
public interface IThreadAwareAllocator
{
    /// <summary>Runs the thread-exit work of simulated thread <paramref name="threadId"/>; a thread with no state is a no-op.</summary>
    /// <param name="threadId">The simulated thread id (as <see cref="SimulatedThread.CurrentId"/> was while it ran).</param>
    /// <exception cref="HeapCorruptionException">The thread's cached blocks fail an integrity check while being released.</exception>
    void ThreadExit(int threadId);
}
