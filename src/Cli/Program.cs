// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Cli;

/// <summary>The allocators tool (commands arrive with issue 3).</summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static int Main(string[] args)
    {
        System.Console.WriteLine("allocators: commands are being built; see README.md.");
        return args.Length == 0 ? 0 : 1;
    }
}
