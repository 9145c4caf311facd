// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Strategies.Glibc;

/// <summary>The arena type (glibc's malloc_state), kept out of simulated memory.</summary>
public sealed partial class GlibcAllocator
{
    /// <summary>
    /// One arena (malloc_state). The main arena lives in libc's .data; a thread arena's malloc_state lives in its first
    /// heap right after the heap_info, and its address is what heap_info.ar_ptr holds in simulated memory. Both keep
    /// their bins here, at fake head addresses <c>BinHeadBase + 0x1000 × Index + 16 × bin</c>.
    /// </summary>
    private sealed class Arena
    {
        public Arena(int index, ulong stateAddress, bool contiguous)
        {
            Index = index;
            BinBase = BinHeadBase + ((ulong)index * 0x1000);
            StateAddress = stateAddress;
            Contiguous = contiguous;
            for (int i = 0; i < NBins; i++)
            {
                BinFd[i] = BinBase + ((ulong)i * 16);
                BinBk[i] = BinBase + ((ulong)i * 16);
            }

            Top = BinBase + 16;
        }

        public int Index { get; }

        public ulong BinBase { get; }

        /// <summary>Gets the address glibc would give this malloc_state (heap_info.ar_ptr).</summary>
        public ulong StateAddress { get; }

        public ulong[] Fastbins { get; } = new ulong[NFastBins];

        /// <summary>The bins' fd words (bin i's head fd), stored in the arena object itself.</summary>
        public BinLinks BinFd;

        /// <summary>The bins' bk words (bin i's head bk), stored in the arena object itself.</summary>
        public BinLinks BinBk;

        public uint[] Binmap { get; } = new uint[4];

        public ulong Top { get; set; }

        public ulong LastRemainder { get; set; }

        public bool HaveFastChunks { get; set; }

        public bool Contiguous { get; set; }

        public ulong SystemMem { get; set; }

        public ulong MaxSystemMem { get; set; }

        /// <summary>Gets or sets the next arena in glibc's circular arena list (main_arena.next is the newest).</summary>
        public Arena? Next { get; set; }

        public int AttachedThreads { get; set; }

        /// <summary>Gets the heap_info addresses of a thread arena, oldest first.</summary>
        public System.Collections.Generic.List<ulong> Heaps { get; } = new();

        public bool IsMain => Index == 0;

        /// <summary>Gets NON_MAIN_ARENA for thread arenas, 0 for the main arena.</summary>
        public ulong ABit => Index == 0 ? 0 : ChunkHeader.NonMainArena;

        /// <summary>One link word of each of the <see cref="NBins"/> bins.</summary>
        [System.Runtime.CompilerServices.InlineArray(NBins)]
        public struct BinLinks
        {
            private ulong _link;
        }
    }
}
