// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Strategies.Slab;

/// <summary>A magazine (Bonwick and Adams 2001): a fixed-capacity LIFO stack of free, constructed objects of one cache.</summary>
internal sealed class Magazine
{
    public readonly MagazineRound[] Rounds;   // Rounds[0 .. Count) are valid
    public int Count;

    public Magazine(int capacity) => Rounds = new MagazineRound[capacity];

    public bool IsFull => Count == Rounds.Length;
}
