// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Testing;

/// <summary>
/// Applies operation sequences to any <see cref="IAllocator"/> and to a reference model of the live set, and checks after
/// every step: no two live blocks overlap, every address is aligned (16, or the memalign alignment), usable size ≥ requested,
/// calloc memory is zero, a pattern written into every block survives every other operation (realloc keeps the common
/// prefix), and <see cref="IAllocator.CheckHeap"/> passes.
/// </summary>
public sealed class ModelChecker
{
    private readonly IAllocator _allocator;
    private readonly ISimulatedOs _os;
    private readonly ModelCheckerOptions _options;
    private readonly List<ModelBlock> _live = [];
    private readonly SortedList<ulong, ulong> _byAddress = [];
    private readonly Queue<string> _recent = new();
    private byte _nextSeed = 1;

    /// <summary>Initializes a new instance of the <see cref="ModelChecker"/> class.</summary>
    public ModelChecker(IAllocator allocator, ModelCheckerOptions? options = null)
    {
        _allocator = allocator;
        _os = allocator.Os;
        _options = options ?? new ModelCheckerOptions();
    }

    /// <summary>Gets the live blocks of the model, in allocation order.</summary>
    public IReadOnlyList<ModelBlock> Live => _live;

    /// <summary>Gets the number of operations applied so far.</summary>
    public long OperationsApplied { get; private set; }

    /// <summary>Applies a sequence to a fresh checker, frees everything at the end and checks the heap once more.</summary>
    public static void Check(IAllocator allocator, IEnumerable<AllocatorOperation> operations, ModelCheckerOptions? options = null)
    {
        var checker = new ModelChecker(allocator, options);
        checker.Run(operations);
        checker.FreeAll();
    }

    /// <summary>Applies every operation in order.</summary>
    public void Run(IEnumerable<AllocatorOperation> operations)
    {
        foreach (AllocatorOperation operation in operations)
        {
            Apply(operation);
        }
    }

    /// <summary>Applies one operation to the allocator and the model and checks the result.</summary>
    public void Apply(AllocatorOperation operation)
    {
        long step = OperationsApplied++;
        Remember($"#{step} {operation}");
        try
        {
            ApplyCore(operation);
            HeapCheckResult check = _allocator.CheckHeap(_options.CheckLevel);
            if (!check.Succeeded)
            {
                Fail($"CheckHeap({_options.CheckLevel}) failed: {check}");
            }

            if (_options.VerifyAllEvery > 0 && step % _options.VerifyAllEvery == 0)
            {
                VerifyAll();
            }
        }
        catch (ModelCheckException)
        {
            throw;
        }
        catch (Exception ex)
        {
            throw new ModelCheckException($"{_allocator.Name}: {operation} threw {ex.GetType().Name}: {ex.Message}{History()}", ex);
        }
    }

    /// <summary>Verifies and frees every live block, then checks that the statistics show nothing live.</summary>
    public void FreeAll()
    {
        while (_live.Count > 0)
        {
            Apply(AllocatorOperation.Free(_live.Count - 1));
        }

        AllocatorStatistics stats = _allocator.GetStatistics();
        if (stats.LiveBlocks != 0)
        {
            Fail($"after freeing everything the statistics still count {stats.LiveBlocks} live blocks");
        }
    }

    /// <summary>Verifies the pattern of every live block.</summary>
    public void VerifyAll()
    {
        foreach (ModelBlock block in _live)
        {
            Verify(block, block.Size, "live");
        }
    }

    private void ApplyCore(AllocatorOperation op)
    {
        switch (op.Kind)
        {
            case OperationKind.Allocate:
                if (_live.Count >= _options.MaxLiveBlocks)
                {
                    FreeAt(op.Size.GetHashCode());
                    return;
                }

                AddNew(_allocator.Allocate(op.Size), op.Size, 16, op, zeroed: false);
                return;
            case OperationKind.Calloc:
                if (_live.Count >= _options.MaxLiveBlocks)
                {
                    FreeAt(op.Size.GetHashCode());
                    return;
                }

                AddNew(_allocator.AllocateZeroed(op.Count, op.Size), op.Count * op.Size, 16, op, zeroed: true);
                return;
            case OperationKind.Memalign:
                if (_live.Count >= _options.MaxLiveBlocks)
                {
                    FreeAt(op.Size.GetHashCode());
                    return;
                }

                AddNew(_allocator.AllocateAligned(op.Alignment, op.Size), op.Size, Math.Max(16, op.Alignment), op, zeroed: false);
                return;
            case OperationKind.Free:
                if (_live.Count == 0)
                {
                    _allocator.Free(0);
                    return;
                }

                FreeAt(op.Index);
                return;
            case OperationKind.Realloc:
                Realloc(op);
                return;
            case OperationKind.Trim:
                _allocator.Trim(op.Size);
                return;
        }
    }

    private void FreeAt(int index)
    {
        if (_live.Count == 0)
        {
            return;
        }

        int i = (int)((uint)index % (uint)_live.Count);
        ModelBlock block = _live[i];
        Verify(block, block.Size, "before free");
        _allocator.Free(block.Address);
        _live.RemoveAt(i);
        _byAddress.Remove(block.Address);
    }

    private void Realloc(AllocatorOperation op)
    {
        if (_live.Count == 0)
        {
            AddNew(_allocator.Reallocate(0, op.Size), op.Size, 16, op, zeroed: false);
            return;
        }

        int i = (int)((uint)op.Index % (uint)_live.Count);
        ModelBlock block = _live[i];
        Verify(block, block.Size, "before realloc");
        long failuresBefore = _allocator.GetStatistics().FailedAllocations;
        ulong result = _allocator.Reallocate(block.Address, op.Size);
        if (op.Size == 0)
        {
            if (result != 0)
            {
                Fail($"realloc(0x{block.Address:x}, 0) returned 0x{result:x}; expected it to free and return 0");
            }

            _live.RemoveAt(i);
            _byAddress.Remove(block.Address);
            return;
        }

        if (result == 0)
        {
            CheckFailureAllowed(op.Size, failuresBefore, op);

            // The old block must be untouched.
            Verify(block, block.Size, "after failed realloc");
            return;
        }

        _byAddress.Remove(block.Address);
        _live.RemoveAt(i);
        CheckPlacement(result, op.Size, 16, op);
        var moved = block with { Address = result, Size = op.Size };
        Verify(moved, block.Size, $"after realloc from 0x{block.Address:x} (common prefix)", Math.Min(block.Size, op.Size));
        BlockPattern.Write(_os, result, op.Size, moved.Seed);
        _live.Insert(i, moved);
        _byAddress.Add(result, op.Size);
    }

    private void AddNew(ulong address, ulong size, ulong alignment, AllocatorOperation op, bool zeroed)
    {
        if (address == 0)
        {
            CheckFailureAllowed(size, -1, op);
            return;
        }

        CheckPlacement(address, size, alignment, op);
        if (zeroed)
        {
            long nonZero = BlockPattern.FindNonZero(_os, address, size);
            if (nonZero >= 0)
            {
                Fail($"{op} = 0x{address:x}: byte {nonZero} is not zero");
            }
        }

        byte seed = _nextSeed++;
        if (_nextSeed == 0)
        {
            _nextSeed = 1;
        }

        BlockPattern.Write(_os, address, size, seed);
        _live.Add(new ModelBlock(address, size, alignment, seed));
        _byAddress.Add(address, size);
    }

    private void CheckFailureAllowed(ulong size, long failuresBefore, AllocatorOperation op)
    {
        if (size <= _options.MaxGuaranteedBytes)
        {
            Fail($"{op} returned 0 although {size} bytes must succeed");
        }

        long failuresAfter = _allocator.GetStatistics().FailedAllocations;
        if (failuresBefore >= 0 && failuresAfter <= failuresBefore)
        {
            Fail($"{op} returned 0 without counting a failed allocation");
        }
    }

    private void CheckPlacement(ulong address, ulong size, ulong alignment, AllocatorOperation op)
    {
        if (address % alignment != 0)
        {
            Fail($"{op} = 0x{address:x} is not aligned to {alignment}");
        }

        ulong usable = _allocator.UsableSize(address);
        if (usable < size)
        {
            Fail($"{op} = 0x{address:x}: usable size {usable} < requested {size}");
        }

        if (_byAddress.ContainsKey(address))
        {
            Fail($"{op} = 0x{address:x} was already live");
        }

        ulong end = address + Math.Max(size, 1);
        IList<ulong> keys = _byAddress.Keys;
        int lo = 0;
        int hi = keys.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (keys[mid] < address)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        if (lo > 0)
        {
            ulong prev = keys[lo - 1];
            if (prev + Math.Max(_byAddress.Values[lo - 1], 1) > address)
            {
                Fail($"{op} = 0x{address:x} (size {size}) overlaps live block 0x{prev:x} (size {_byAddress.Values[lo - 1]})");
            }
        }

        if (lo < keys.Count && keys[lo] < end)
        {
            Fail($"{op} = 0x{address:x} (size {size}) overlaps live block 0x{keys[lo]:x} (size {_byAddress.Values[lo]})");
        }
    }

    private void Verify(ModelBlock block, ulong patternSize, string when, ulong limit = ulong.MaxValue)
    {
        long mismatch = BlockPattern.FindMismatch(_os, block.Address, patternSize, block.Seed, Math.Min(limit, patternSize));
        if (mismatch >= 0)
        {
            Fail($"contents of block 0x{block.Address:x} (size {block.Size}) changed at offset {mismatch} ({when})");
        }
    }

    private void Remember(string entry)
    {
        _recent.Enqueue(entry);
        if (_recent.Count > 12)
        {
            _recent.Dequeue();
        }
    }

    private string History() => Environment.NewLine + "last operations: " + string.Join(", ", _recent);

    private void Fail(string message) => throw new ModelCheckException($"{_allocator.Name}: {message}{History()}");
}
