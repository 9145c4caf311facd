// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Strategies.Slab;

/// <summary>A magazine (Bonwick and Adams 2001): a fixed-capacity LIFO stack of free, constructed objects of one cache.</summary>
internal sealed class Magazine
{
    /// <summary>A magazine of no rounds: what a cache's fast path sees while no thread's magazines are cached (always empty and full).</summary>
    public static readonly Magazine None = new(0);

    public readonly MagazineRound[] Rounds;   // Rounds[0 .. Count) are valid
    public readonly int Capacity;             // Rounds.Length, next to Count: the fast paths test room without loading the array
    public int Count;

    public Magazine(int capacity)
    {
        Rounds = new MagazineRound[capacity];
        Capacity = capacity;
    }

    public bool IsFull => Count == Rounds.Length;
}
