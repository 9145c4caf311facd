// Copyright (c) Allocators contributors. MIT License.

using System;

namespace Allocators;

/// <summary>An invalid argument to an allocator: a pointer it does not own, an impossible request it rejects by contract.</summary>
public sealed class AllocatorArgumentException : ArgumentException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="strategy">The strategy name.</param>
    /// <param name="operation">The call (for example <c>Free</c>).</param>
    /// <param name="address">The offending address, or 0.</param>
    /// <param name="problem">What is wrong.</param>
    /// <param name="paramName">The parameter name.</param>
    public AllocatorArgumentException(string strategy, string operation, ulong address, string problem, string paramName = "address")
        : base($"{operation}: {problem} (strategy={strategy}, address=0x{address:x}).", paramName)
    {
        Strategy = strategy;
        Operation = operation;
        Address = address;
        Problem = problem;
    }

    /// <summary>Gets the strategy name.</summary>
    public string Strategy { get; }

    /// <summary>Gets the call.</summary>
    public string Operation { get; }

    /// <summary>Gets the offending address.</summary>
    public ulong Address { get; }

    /// <summary>Gets what is wrong.</summary>
    public string Problem { get; }
}
