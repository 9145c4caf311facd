// Copyright (c) Allocators contributors. MIT License.

using Allocators.Testing;

namespace Allocators.Strategies.Tests.BadInput;

/// <summary>
/// What a bad-input case does to one strategy: the blocks it involves, the bytes it corrupts (so they can be put back),
/// the step being run (so an error names where it surfaced) and a note for calls that return normally.
/// </summary>
internal sealed class BadInputProbe
{
    private readonly List<(ulong Address, byte[] Original)> _corrupted = [];
    private readonly List<(ulong Address, ulong Size)> _involved = [];

    public BadInputProbe(StrategyUnderTest subject)
    {
        Subject = subject;
    }

    public StrategyUnderTest Subject { get; }

    public IAllocator Allocator => Subject.Allocator;

    public ISimulatedOs Os => Subject.Os;

    /// <summary>Gets the step that is running (e.g. <c>free(a)</c>).</summary>
    public string Step { get; private set; } = "setup";

    /// <summary>Gets or sets what the case observed when it finished without an exception.</summary>
    public string Note { get; set; } = "ok";

    /// <summary>Gets the blocks and addresses the case touched (an error must name one of them).</summary>
    public IReadOnlyList<(ulong Address, ulong Size)> Involved => _involved;

    public void Begin(string step) => Step = step;

    /// <summary>Allocates a block that must succeed (setup), fills it with a pattern and records it.</summary>
    public ulong Setup(ulong size, byte seed = 1)
    {
        ulong p = Allocator.Allocate(size);
        Assert.NotEqual(0UL, p);
        BlockPattern.Write(Os, p, size, seed);
        Involve(p, size);
        return p;
    }

    public void Involve(ulong address, ulong size) => _involved.Add((address, Math.Max(size, 1)));

    /// <summary>Overwrites bytes like a buggy program would, remembering what was there.</summary>
    public void Corrupt(ulong address, int count, byte value)
    {
        Begin($"write {count} byte(s) at 0x{address:x}");
        var original = new byte[count];
        Os.Read(address, original);
        _corrupted.Add((address, original));
        Os.Fill(address, (ulong)count, value);
        Involve(address, (ulong)count);
    }

    /// <summary>Puts every corrupted byte back (newest first), where the memory is still accessible.</summary>
    public void Repair()
    {
        for (int i = _corrupted.Count - 1; i >= 0; i--)
        {
            (ulong address, byte[] original) = _corrupted[i];
            if (Os.IsAccessible(address, (ulong)original.Length, Protection.Write))
            {
                Os.Write(address, original);
            }
        }
    }

    /// <summary>Records a null result and asserts it was counted as a failed allocation with a reason.</summary>
    public void ExpectNull(ulong result, long failedBefore)
    {
        if (result != 0)
        {
            Note = $"returned 0x{result:x} (usable {Allocator.UsableSize(result)})";
            return;
        }

        AllocatorStatistics stats = Allocator.GetStatistics();
        Assert.Equal(failedBefore + 1, stats.FailedAllocations);
        Note = $"null ({stats.LastFailure})";
    }

    /// <summary>True when <paramref name="address"/> lies in (or within a page of) a block the case touched.</summary>
    public bool Names(ulong address)
        => _involved.Any(b => address + 4096 >= b.Address && address < b.Address + b.Size + 4096);
}
