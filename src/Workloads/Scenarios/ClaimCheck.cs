// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Generic;

namespace Allocators.Workloads.Scenarios;

/// <summary>Collects a side's numbers and the conditions of a claim, and turns them into a <see cref="SideVerdict"/>.</summary>
internal sealed class ClaimCheck
{
    private readonly Dictionary<string, object?> _numbers = new(System.StringComparer.Ordinal);
    private readonly List<string> _failed = [];
    private readonly List<string> _unknown = [];
    private IReadOnlyList<string> _log = [];

    /// <summary>Records a number and returns it.</summary>
    public T Set<T>(string name, T value)
    {
        _numbers[name] = value;
        return value;
    }

    /// <summary>A condition of the claim; a false one makes the claim fail, named by <paramref name="description"/>.</summary>
    public void Require(bool condition, string description)
    {
        if (!condition)
        {
            _failed.Add(description);
        }
    }

    /// <summary>A condition that cannot be checked on this side (the verdict becomes null unless another condition failed).</summary>
    public void CannotTell(string reason) => _unknown.Add(reason);

    /// <summary>The log to show with <c>--log</c>.</summary>
    public void UseLog(ScenarioRun run)
    {
        var log = new List<string>();
        foreach (var step in run.Steps)
        {
            log.AddRange(step.Log);
        }

        _log = log;
    }

    public SideVerdict Verdict()
    {
        if (_failed.Count > 0)
        {
            return new SideVerdict(false, "not as claimed: " + string.Join("; ", _failed), _numbers, _log);
        }

        if (_unknown.Count > 0)
        {
            return new SideVerdict(null, string.Join("; ", _unknown), _numbers, _log);
        }

        return new SideVerdict(true, null, _numbers, _log);
    }
}
