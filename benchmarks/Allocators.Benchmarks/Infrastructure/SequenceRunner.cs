// Copyright (c) Allocators contributors. MIT License.

using System;

namespace Allocators.Benchmarks.Infrastructure;

/// <summary>Executes an <see cref="OperationSequence"/> against one side; the timed loop of every head-to-head benchmark.</summary>
public static class SequenceRunner
{
    /// <summary>
    /// Runs <paramref name="operations"/> with pointers kept in <paramref name="slots"/> (all null on entry and,
    /// because sequences end with their drain, all null on exit).
    /// </summary>
    /// <returns>The number of calls that returned a non-null pointer (keeps the loop observable).</returns>
    public static int Run<THeap>(THeap heap, ReadOnlySpan<Operation> operations, Span<ulong> slots)
        where THeap : struct, IHeapCalls
    {
        int nonNull = 0;
        for (int i = 0; i < operations.Length; i++)
        {
            ref readonly Operation op = ref operations[i];
            ref ulong slot = ref slots[op.Slot];
            ulong result;
            switch (op.Kind)
            {
                case OperationKind.Malloc:
                    result = heap.Malloc(op.Argument1);
                    slot = result;
                    break;
                case OperationKind.Calloc:
                    result = heap.Calloc(op.Argument1, op.Argument2);
                    slot = result;
                    break;
                case OperationKind.Memalign:
                    result = heap.Memalign(op.Argument1, op.Argument2);
                    slot = result;
                    break;
                case OperationKind.Realloc:
                    result = heap.Realloc(slot, op.Argument1);
                    if (result != 0 || op.Argument1 == 0)
                    {
                        slot = result;
                    }

                    break;
                default:
                    heap.Free(slot);
                    slot = 0;
                    continue;
            }

            if (result != 0)
            {
                nonNull++;
            }
        }

        return nonNull;
    }
}
