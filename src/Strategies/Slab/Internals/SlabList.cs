// Copyright (c) Allocators contributors. MIT License.

using System.Diagnostics;

namespace Allocators.Strategies.Slab;

/// <summary>An intrusive doubly linked list of slabs (the full, partial or empty list of a cache); O(1) add and remove.</summary>
internal sealed class SlabList
{
    public SlabList(SlabListKind kind) => Kind = kind;

    public SlabListKind Kind { get; }

    public SlabDescriptor? Head { get; private set; }

    public int Count { get; private set; }

    public void Add(SlabDescriptor slab)
    {
        Debug.Assert(slab.List == SlabListKind.None, "slab already on a list");
        slab.Prev = null;
        slab.Next = Head;
        if (Head is not null)
        {
            Head.Prev = slab;
        }

        Head = slab;
        slab.List = Kind;
        Count++;
    }

    public void Remove(SlabDescriptor slab)
    {
        Debug.Assert(slab.List == Kind, "slab on another list");
        if (slab.Prev is null)
        {
            Head = slab.Next;
        }
        else
        {
            slab.Prev.Next = slab.Next;
        }

        if (slab.Next is not null)
        {
            slab.Next.Prev = slab.Prev;
        }

        slab.Prev = null;
        slab.Next = null;
        slab.List = SlabListKind.None;
        Count--;
    }
}
