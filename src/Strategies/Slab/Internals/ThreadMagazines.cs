// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Strategies.Slab;

/// <summary>
/// The magazine pair a simulated thread holds for one cache (the per-CPU layer of the 2001 paper, keyed by
/// <see cref="SimulatedThread.CurrentId"/>): <see cref="Loaded"/> serves requests; <see cref="Previous"/> is always
/// either full or empty, so one exchange always makes room or finds an object.
/// </summary>
internal sealed class ThreadMagazines
{
    public readonly int ThreadId;
    public Magazine Loaded;
    public Magazine Previous;

    public ThreadMagazines(int threadId, int capacity)
    {
        ThreadId = threadId;
        Loaded = new Magazine(capacity);
        Previous = new Magazine(capacity);
    }

    public void Swap() => (Loaded, Previous) = (Previous, Loaded);
}
