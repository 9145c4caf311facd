// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Os.Tests.Properties;

/// <summary>
/// The reference model of a small window of the address space: per page whether it is mapped, its protection,
/// whether it is resident and the word stored at offset 8. Mappings (VMAs) are the maximal runs of mapped pages with
/// equal protection, which is what the simulated OS's merging produces.
/// </summary>
internal sealed class PageModel
{
    public PageModel(ulong baseAddress, int pages)
    {
        BaseAddress = baseAddress;
        Mapped = new bool[pages];
        Prot = new Protection[pages];
        Resident = new bool[pages];
        Word = new ulong[pages];
    }

    public ulong BaseAddress { get; }

    public bool[] Mapped { get; }

    public Protection[] Prot { get; }

    public bool[] Resident { get; }

    public ulong[] Word { get; }

    public int Pages => Mapped.Length;

    public ulong Address(int page) => BaseAddress + ((ulong)page * 4096);

    public bool IsFree(int start, int count)
    {
        if (start < 0 || start + count > Pages)
        {
            return false;
        }

        for (int i = start; i < start + count; i++)
        {
            if (Mapped[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Linux's top-down placement: the highest free run of <paramref name="count"/> pages, or −1.</summary>
    public int TopDown(int count)
    {
        for (int s = Pages - count; s >= 0; s--)
        {
            if (IsFree(s, count))
            {
                return s;
            }
        }

        return -1;
    }

    public void Map(int start, int count, Protection prot)
    {
        for (int i = start; i < start + count; i++)
        {
            Mapped[i] = true;
            Prot[i] = prot;
            Resident[i] = false;
            Word[i] = 0;
        }
    }

    public void Unmap(int start, int count)
    {
        for (int i = Math.Max(start, 0); i < Math.Min(start + count, Pages); i++)
        {
            Mapped[i] = false;
            Resident[i] = false;
            Word[i] = 0;
        }
    }

    public int Runs()
    {
        int runs = 0;
        for (int i = 0; i < Pages; i++)
        {
            if (Mapped[i] && (i == 0 || !Mapped[i - 1] || Prot[i - 1] != Prot[i]))
            {
                runs++;
            }
        }

        return runs;
    }

    /// <summary>The end (exclusive) of the run containing <paramref name="page"/>.</summary>
    public int RunEnd(int page)
    {
        int end = page;
        while (end < Pages && Mapped[end] && Prot[end] == Prot[page])
        {
            end++;
        }

        return end;
    }

    public int ResidentCount() => Resident.Count(r => r);

    public int MappedCount() => Mapped.Count(m => m);
}
