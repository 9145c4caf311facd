// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Os.Internals;

/// <summary>
/// The bits of a page-table entry: the host address of the page's backing (4096-aligned) in the high bits, flags in
/// the low 12. The two fast bits are what the hot path tests: set only when the page is resident and the protection
/// allows the access, so one load and one test decide a read or a write.
/// </summary>
internal static class PageEntry
{
    /// <summary>Resident and readable: a load may go straight to the host page.</summary>
    public const ulong FastRead = 1UL << 0;

    /// <summary>Resident and writable: a store may go straight to the host page.</summary>
    public const ulong FastWrite = 1UL << 1;

    /// <summary>The page belongs to a mapping.</summary>
    public const ulong Mapped = 1UL << 2;

    /// <summary>The page was touched since it was mapped or last dropped (it counts in RSS).</summary>
    public const ulong Resident = 1UL << 3;

    /// <summary>
    /// The page is backed by one of the process's linear host reservations (the brk heap or the mmap window): its
    /// host page is never unmapped, only zeroed or discarded when the simulated page goes away.
    /// </summary>
    public const ulong Reserved = 1UL << 4;

    /// <summary>The shift of the 3 protection bits (PROT_READ, PROT_WRITE, PROT_EXEC).</summary>
    public const int ProtectionShift = 5;

    /// <summary>The protection bits.</summary>
    public const ulong ProtectionMask = 7UL << ProtectionShift;

    /// <summary>The host address bits.</summary>
    public const ulong HostMask = ~0xFFFUL;

    /// <summary>Builds the entry of a freshly mapped, not yet touched page.</summary>
    public static ulong Create(nint host, Protection protection, bool reserved)
        => ((ulong)host & HostMask) | Mapped | (reserved ? Reserved : 0) | ((ulong)(int)protection << ProtectionShift);

    /// <summary>Gets the protection of an entry.</summary>
    public static Protection GetProtection(ulong entry) => (Protection)(int)((entry & ProtectionMask) >> ProtectionShift);

    /// <summary>Replaces the protection, recomputing the fast bits.</summary>
    public static ulong WithProtection(ulong entry, Protection protection)
        => WithFastBits((entry & ~ProtectionMask) | ((ulong)(int)protection << ProtectionShift));

    /// <summary>Marks the entry resident, setting the fast bits the protection allows.</summary>
    public static ulong MakeResident(ulong entry) => WithFastBits(entry | Resident);

    /// <summary>Marks the entry not resident.</summary>
    public static ulong MakeNotResident(ulong entry) => entry & ~(Resident | FastRead | FastWrite);

    /// <summary>x86-64 page tables cannot express write-only or exec-only: any protection but PROT_NONE reads.</summary>
    public static bool IsReadable(Protection protection) => protection != Protection.None;

    /// <summary>Gets whether the protection allows stores.</summary>
    public static bool IsWritable(Protection protection) => (protection & Protection.Write) != 0;

    /// <summary>Tests whether an access kind is allowed by an entry's protection (not counting residency).</summary>
    public static bool Allows(ulong entry, MemoryAccessKind access)
    {
        Protection protection = GetProtection(entry);
        return access == MemoryAccessKind.Write ? IsWritable(protection) : IsReadable(protection);
    }

    private static ulong WithFastBits(ulong entry)
    {
        entry &= ~(FastRead | FastWrite);
        if ((entry & Resident) == 0)
        {
            return entry;
        }

        Protection protection = GetProtection(entry);
        if (IsReadable(protection))
        {
            entry |= FastRead;
        }

        if (IsWritable(protection))
        {
            entry |= FastWrite;
        }

        return entry;
    }
}
