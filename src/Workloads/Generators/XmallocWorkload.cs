// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Generic;

namespace Allocators.Workloads;

/// <summary>xmalloc-test (Lever &amp; Boreham): producers allocate batches, consumers on other threads free them.</summary>
internal static class XmallocWorkload
{
    public const string Description =
        "xmalloc-test (Lever & Boreham, USENIX 2000): 2 producer threads allocate batches of 4096 64-byte objects plus a batch header "
        + "and push them on a shared LIFO stack (at most 100 queued); 2 consumer threads pop batches and free every object, then the header.";

    public const int Producers = 2;
    private const int BatchObjects = 4096;
    private const int MaxQueued = 100;
    private const ulong ObjectSize = 64;

    public static void Run(GeneratorContext context)
    {
        int batchesPerProducer = context.Scaled(20);
        var stack = new Stack<(ulong Header, ulong[] Objects)>();
        int remaining = batchesPerProducer * Producers;
        var threads = new List<IEnumerator<bool>>();
        for (int p = 0; p < Producers; p++)
        {
            threads.Add(Producer(context, p * 2, batchesPerProducer, stack));
            threads.Add(Consumer(context, (p * 2) + 1, stack, () => remaining--, () => remaining));
        }

        context.RunThreads(threads, maxBurst: 512);
    }

    private static IEnumerator<bool> Producer(GeneratorContext context, int tid, int batches, Stack<(ulong, ulong[])> stack)
    {
        for (int b = 0; b < batches; b++)
        {
            ulong header = context.Malloc(tid, (BatchObjects * 8) + 16);
            var objects = new ulong[BatchObjects];
            for (int i = 0; i < BatchObjects; i++)
            {
                objects[i] = context.Malloc(tid, ObjectSize);
                yield return true;
            }

            while (stack.Count >= MaxQueued)
            {
                yield return false;
            }

            stack.Push((header, objects));
            yield return true;
        }
    }

    private static IEnumerator<bool> Consumer(GeneratorContext context, int tid, Stack<(ulong, ulong[])> stack, System.Func<int> take, System.Func<int> left)
    {
        while (left() > 0)
        {
            if (stack.Count == 0)
            {
                yield return false;
                continue;
            }

            take();
            (ulong header, ulong[] objects) = stack.Pop();
            foreach (ulong o in objects)
            {
                context.Free(tid, o);
                yield return true;
            }

            context.Free(tid, header);
            yield return true;
        }
    }
}
