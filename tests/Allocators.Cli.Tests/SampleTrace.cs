// Copyright (c) Allocators contributors. MIT License.

namespace Allocators.Cli.Tests;

/// <summary>A small hand-written trace with every call kind, heap and mmapped blocks, and a realloc chain.</summary>
internal static class SampleTrace
{
    public const int Calls = 12;

    public const string Text = """
        # heap-start 0x555555559000
        7 m 5 0x555555560010
        7 m 200 0x555555560030
        7 f 0x555555560010
        7 r 0x555555560030 5000 0x555555561000
        7 c 10 10 0x555555562000
        7 m 300000 0x7ffff7000010
        7 f 0x7ffff7000010
        7 a 64 100 0x555555563000
        7 r (nil) 70 0x555555564000
        7 f 0x555555561000
        8 m 40 0x555555565000
        7 f (nil)
        """;

    public static string Write(string directory, string name = "sample.trace", bool singleThread = false)
    {
        string path = Path.Combine(directory, name);
        File.WriteAllText(path, (singleThread ? Text.Replace("\n8 m 40", "\n7 m 40", StringComparison.Ordinal) : Text) + "\n");
        return path;
    }
}
