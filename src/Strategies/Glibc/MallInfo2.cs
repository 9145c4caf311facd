// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Strategies.Glibc;

/// <summary>glibc's <c>struct mallinfo2</c> (size_t fields), as returned by <see cref="GlibcAllocator.Mallinfo2"/>.</summary>
/// <param name="Arena">arena: bytes obtained with brk (system_mem summed over arenas).</param>
/// <param name="Ordblks">ordblks: free chunks in bins 1..127, plus 1 for each top.</param>
/// <param name="Smblks">smblks: chunks in fastbins.</param>
/// <param name="Hblks">hblks: live direct-mmapped chunks.</param>
/// <param name="Hblkhd">hblkhd: bytes in direct-mmapped chunks.</param>
/// <param name="Usmblks">usmblks: always 0.</param>
/// <param name="Fsmblks">fsmblks: bytes in fastbin chunks.</param>
/// <param name="Uordblks">uordblks: arena bytes in use (tcache chunks count as used).</param>
/// <param name="Fordblks">fordblks: free bytes (top, fastbins, bins).</param>
/// <param name="Keepcost">keepcost: the main arena's top size.</param>
public sealed record MallInfo2(ulong Arena, ulong Ordblks, ulong Smblks, ulong Hblks, ulong Hblkhd, ulong Usmblks, ulong Fsmblks, ulong Uordblks, ulong Fordblks, ulong Keepcost);
