// Copyright (c) Allocators contributors. MIT License.

using System.Text;

namespace Allocators.Workloads.Tests.Infrastructure;

internal static class TraceText
{
    public static TraceReader Reader(string text, string name = "test.trace") =>
        new(new MemoryStream(Encoding.ASCII.GetBytes(text)), name);

    public static List<TraceRecord> ReadAll(string text)
    {
        using TraceReader reader = Reader(text);
        return [.. reader];
    }

    public static List<TraceRecord> ReadAll(byte[] bytes)
    {
        using var reader = new TraceReader(new MemoryStream(bytes), "bytes");
        return [.. reader];
    }
}
