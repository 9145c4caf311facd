// Copyright (c) Allocators contributors. MIT License.

using System.Globalization;
using System.Text;

namespace Allocators.Workloads.Oracle;

/// <summary>The observable outcome of one script operation.</summary>
/// <param name="Index">The operation index in the script.</param>
/// <param name="Kind">The operation.</param>
/// <param name="Pointer">The pointer result (pointer-returning operations), else <see cref="OraclePointer.Null"/>.</param>
/// <param name="SizeWord">The raw chunk size word at pointer − 8 (flag bits included), 0 for null or non-pointer results.</param>
/// <param name="ReturnValue">The integer result (usable, trim, mallopt as two's complement, posix_memalign's code, peek's word, sbrk's old break offset), or null.</param>
/// <param name="Break">The program break after the operation, as an offset from the initial break.</param>
/// <param name="Mallinfo">The mallinfo2 fields for <see cref="OracleOperationKind.Mallinfo2"/>, else null.</param>
public sealed record OracleStep(int Index, OracleOperationKind Kind, OraclePointer Pointer, ulong SizeWord, ulong? ReturnValue, ulong Break, OracleMallinfo? Mallinfo)
{
    /// <summary>Gets the process's resident bytes after a <see cref="OracleOperationKind.MemStat"/> (whole process), else null.</summary>
    public ulong? ResidentBytes { get; init; }

    /// <summary>Gets the process's minor page faults so far after a <see cref="OracleOperationKind.MemStat"/>, else null.</summary>
    public ulong? MinorFaults { get; init; }

    /// <summary>Gets the text written by <see cref="OracleOperationKind.MallocStats"/> or <see cref="OracleOperationKind.MallocInfo"/>, else null.</summary>
    public string? Text { get; init; }

    /// <summary>Gets the step in the oracle program's output syntax.</summary>
    /// <returns>The text.</returns>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{Index}");
        if (Kind is OracleOperationKind.Malloc or OracleOperationKind.Calloc or OracleOperationKind.Realloc
            or OracleOperationKind.Memalign or OracleOperationKind.AlignedAlloc or OracleOperationKind.PosixMemalign
            or OracleOperationKind.Valloc or OracleOperationKind.Pvalloc)
        {
            sb.Append(CultureInfo.InvariantCulture, $" p={Pointer} s={SizeWord:x}");
        }

        if (ReturnValue is { } r)
        {
            if (Kind == OracleOperationKind.Peek)
            {
                sb.Append(CultureInfo.InvariantCulture, $" r=0x{r:x}");
            }
            else
            {
                sb.Append(CultureInfo.InvariantCulture, $" r={(long)r}");
            }
        }

        if (ResidentBytes is { } rss)
        {
            sb.Append(CultureInfo.InvariantCulture, $" ms={rss},{MinorFaults ?? 0}");
        }

        if (Mallinfo is { } mi)
        {
            sb.Append(CultureInfo.InvariantCulture, $" mi={mi}");
        }

        if (Text is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $" t=\"{Text.Replace("\n", "\\n", System.StringComparison.Ordinal)}\"");
        }

        sb.Append(CultureInfo.InvariantCulture, $" b={Break:x}");
        return sb.ToString();
    }
}
