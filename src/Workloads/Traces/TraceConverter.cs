// Copyright (c) Allocators contributors. MIT License.

using System;

namespace Allocators.Workloads;

/// <summary>Converts traces between encodings and compressions (<c>allocators convert</c>).</summary>
public static class TraceConverter
{
    /// <summary>
    /// Copies every record of <paramref name="inputPath"/> (any supported encoding) to <paramref name="outputPath"/>,
    /// whose encoding is <paramref name="format"/> or, when null, follows its name (<see cref="TraceFile.FormatFromPath"/>).
    /// The output is written to a temporary name and renamed when complete. Returns the number of records copied.
    /// </summary>
    /// <exception cref="TraceFormatException">The input is malformed; no output is left behind.</exception>
    public static long Convert(string inputPath, string outputPath, TraceFileFormat? format = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(inputPath);
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        string temporary = outputPath + ".partial";
        long records;
        try
        {
            using TraceReader reader = TraceReader.Open(inputPath);
            var file = new System.IO.FileStream(temporary, System.IO.FileMode.Create, System.IO.FileAccess.Write, System.IO.FileShare.None, 1 << 16);

            // The encoding and compression follow the real name, not the temporary one.
            using (ITraceSink sink = TraceFile.Create(file, format ?? TraceFile.FormatFromPath(outputPath), TraceFile.CompressionFromPath(outputPath)))
            {
                records = Copy(reader, sink);
            }

            System.IO.File.Move(temporary, outputPath, overwrite: true);
        }
        catch
        {
            System.IO.File.Delete(temporary);
            throw;
        }

        return records;
    }

    /// <summary>Copies every remaining record of <paramref name="reader"/> to <paramref name="sink"/>; returns the count.</summary>
    public static long Copy(TraceReader reader, ITraceSink sink)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(sink);
        var batch = new TraceRecord[4096];
        long total = 0;
        int n;
        while ((n = reader.ReadBatch(batch)) > 0)
        {
            for (int i = 0; i < n; i++)
            {
                sink.Write(batch[i]);
            }

            total += n;
        }

        return total;
    }
}
