// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Strategies.Slab;

/// <summary>Thread exit: the thread's magazines in every cache go back to the slab layer.</summary>
public sealed partial class SlabAllocator : IThreadAwareAllocator
{
    /// <inheritdoc/>
    public void ThreadExit(int threadId)
    {
        _gate.Enter();
        try
        {
            foreach (SlabCache cache in _classes)
            {
                cache.ThreadExit(threadId);
            }

            foreach (SlabCache cache in _typed)
            {
                cache.ThreadExit(threadId);
            }

            if (_checkFull)
            {
                VerifyAfter(nameof(ThreadExit), 0);
            }
        }
        finally
        {
            _gate.Exit();
        }
    }
}
