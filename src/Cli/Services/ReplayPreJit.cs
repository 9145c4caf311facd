// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Threading;
using Allocators.Os;
using Allocators.Strategies;
using Allocators.Workloads;

namespace Allocators.Cli.Services;

/// <summary>
/// Compiles, on a background thread while the tool starts up, the methods a replay calls first that the ReadyToRun
/// publish cannot precompile: generic instantiations of framework types over the tool's own types, and those marked <see cref="MethodImplOptions.AggressiveOptimization"/> (the trace parser and
/// decoders; the strategies and the simulated process do without it, to get tier-1 PGO code) are always jitted at full optimization on their first
/// call, which otherwise happens on the replaying thread — tens of milliseconds of a replay of a few seconds.
/// </summary>
/// <remarks>
/// Started from <see cref="Program.Main"/> when the command line asks for <c>replay … --strategy NAME</c>, so the
/// compiling overlaps the runtime's and the command line's start-up. A method that the replay reaches first is simply
/// compiled by the replay (the runtime compiles a method once), so nothing waits on this thread; anything unexpected
/// (an unknown strategy, a method that cannot be prepared) only ends the warm-up early.
/// </remarks>
internal static class ReplayPreJit
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>Starts the warm-up when <paramref name="args"/> is a replay with a strategy; returns its thread, else null.</summary>
    public static Thread? StartFor(string[] args)
    {
        string? strategy = StrategyOf(args);
        if (strategy is null || Environment.ProcessorCount < 2)
        {
            return null;
        }

        var thread = new Thread(() => Compile(strategy)) { IsBackground = true, Name = "allocators pre-JIT" };
        thread.Start();
        return thread;
    }

    /// <summary>The strategy of a <c>replay</c> command line (<c>--strategy NAME</c>, <c>-s NAME</c>, <c>--strategy=NAME</c>), else null.</summary>
    internal static string? StrategyOf(string[] args)
    {
        if (args.Length == 0 || !string.Equals(args[0], "replay", StringComparison.Ordinal))
        {
            return null;
        }

        for (int i = 1; i < args.Length; i++)
        {
            string arg = args[i];
            if ((arg is "--strategy" or "-s") && i + 1 < args.Length)
            {
                return args[i + 1];
            }

            foreach (string prefix in (ReadOnlySpan<string>)["--strategy=", "--strategy:", "-s=", "-s:"])
            {
                if (arg.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return arg[prefix.Length..];
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Replays a small synthetic trace through <paramref name="strategy"/> (which compiles, in the order a replay needs
    /// them, the simulated process's and the replay's start-up code — mostly generic instantiations that no ReadyToRun
    /// image holds — and the strategy's main paths), then compiles the always-jitted methods it did not reach. Returns
    /// how many of those were prepared (0 for an unknown strategy).
    /// </summary>
    internal static int Compile(string strategy)
    {
        int compiled = 0;
        try
        {
            _ = ReplayWarmUp.ReplaySynthetic(strategy, [], touch: true);
            foreach (MethodBase method in MethodsFor(strategy))
            {
                RuntimeHelpers.PrepareMethod(method.MethodHandle);
                compiled++;
            }
        }
#pragma warning disable CA1031 // A warm-up that fails costs nothing but the time it would have saved.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        return compiled;
    }

    /// <summary>
    /// The always-jitted methods a replay through <paramref name="strategy"/> uses, roughly in the order the replaying
    /// thread first needs them: the trace parser (the first batch is parsed on that thread), the strategy's own types
    /// (its namespace; largest first, as the main allocation and free paths are the largest), then the simulated process.
    /// </summary>
    internal static IEnumerable<MethodBase> MethodsFor(string strategy)
    {
        if (!AllocatorCatalog.IsAvailable(strategy))
        {
            return [];
        }

        string? ns = AllocatorCatalog.CreateOptions(strategy).GetType().Namespace;
        if (ns is null)
        {
            return [];
        }

        var methods = new List<MethodBase>(AlwaysJitted(typeof(Replayer).Assembly.GetTypes()));
        var own = new List<MethodBase>(AlwaysJitted(Array.FindAll(typeof(AllocatorCatalog).Assembly.GetTypes(), t => string.Equals(t.Namespace, ns, StringComparison.Ordinal))));
        own.Sort((a, b) => ILSize(b).CompareTo(ILSize(a)));
        methods.AddRange(own);
        methods.AddRange(AlwaysJitted(typeof(SimulatedOs).Assembly.GetTypes()));
        return methods;
    }

    private static int ILSize(MethodBase method) => method.GetMethodBody()?.GetILAsByteArray()?.Length ?? 0;

    private static IEnumerable<MethodBase> AlwaysJitted(Type[] types)
    {
        foreach (Type type in types)
        {
            foreach (MethodBase method in AlwaysJitted(type))
            {
                yield return method;
            }
        }
    }

    private static IEnumerable<MethodBase> AlwaysJitted(Type type)
    {
        if (type.ContainsGenericParameters)
        {
            yield break;
        }

        foreach (MethodInfo method in type.GetMethods(Declared))
        {
            if (IsAlwaysJitted(method))
            {
                yield return method;
            }
        }

        foreach (ConstructorInfo constructor in type.GetConstructors(Declared))
        {
            if (IsAlwaysJitted(constructor))
            {
                yield return constructor;
            }
        }
    }

    private static bool IsAlwaysJitted(MethodBase method) =>
        (method.MethodImplementationFlags & MethodImplAttributes.AggressiveOptimization) != 0
        && !method.IsAbstract
        && !method.ContainsGenericParameters;
}
