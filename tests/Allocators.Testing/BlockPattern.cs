// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Testing;

/// <summary>
/// A position-dependent byte pattern written into blocks and verified later. Small blocks are written whole; large ones in a
/// head and a tail window (where neighbours' headers and overflows land), so large mappings are not faulted in wholesale.
/// </summary>
public static class BlockPattern
{
    /// <summary>The window size at each end of a large block.</summary>
    public const int Window = 256;

    /// <summary>The pattern byte at <paramref name="offset"/> for <paramref name="seed"/>.</summary>
    public static byte At(byte seed, ulong offset) => (byte)((offset * 131) ^ (offset >> 8) ^ (ulong)(seed * 29) ^ 0x5A);

    /// <summary>Writes the pattern into the windows of a block of <paramref name="size"/> bytes.</summary>
    public static void Write(ISimulatedOs os, ulong address, ulong size, byte seed)
    {
        Span<byte> buffer = stackalloc byte[Window];
        foreach ((ulong start, int length) in Windows(size, size))
        {
            for (int i = 0; i < length; i++)
            {
                buffer[i] = At(seed, start + (ulong)i);
            }

            os.Write(address + start, buffer[..length]);
        }
    }

    /// <summary>Finds the first offset below <paramref name="limit"/> whose byte differs from the pattern; -1 when all match.</summary>
    public static long FindMismatch(ISimulatedOs os, ulong address, ulong size, byte seed, ulong limit)
    {
        Span<byte> buffer = stackalloc byte[Window];
        foreach ((ulong start, int length) in Windows(size, limit))
        {
            os.Read(address + start, buffer[..length]);
            for (int i = 0; i < length; i++)
            {
                if (buffer[i] != At(seed, start + (ulong)i))
                {
                    return (long)start + i;
                }
            }
        }

        return -1;
    }

    /// <summary>Finds the first non-zero byte in the windows of a block (or the whole block up to 64 KiB); -1 when all zero.</summary>
    public static long FindNonZero(ISimulatedOs os, ulong address, ulong size)
    {
        Span<byte> buffer = stackalloc byte[Window];
        IEnumerable<(ulong Start, int Length)> ranges = size <= 64 * 1024 ? Chunks(size) : Windows(size, size);
        foreach ((ulong start, int length) in ranges)
        {
            os.Read(address + start, buffer[..length]);
            int index = buffer[..length].IndexOfAnyExcept((byte)0);
            if (index >= 0)
            {
                return (long)start + index;
            }
        }

        return -1;
    }

    private static IEnumerable<(ulong Start, int Length)> Chunks(ulong size)
    {
        for (ulong start = 0; start < size; start += Window)
        {
            yield return (start, (int)Math.Min(Window, size - start));
        }
    }

    private static IEnumerable<(ulong Start, int Length)> Windows(ulong size, ulong limit)
    {
        if (size <= 2 * Window)
        {
            foreach ((ulong Start, int Length) chunk in Chunks(Math.Min(size, limit)))
            {
                yield return chunk;
            }

            yield break;
        }

        ulong head = Math.Min(Window, limit);
        if (head > 0)
        {
            yield return (0, (int)head);
        }

        ulong tailStart = size - Window;
        if (limit > tailStart)
        {
            yield return (tailStart, (int)(Math.Min(size, limit) - tailStart));
        }
    }
}
