// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Allocators;

/// <summary>One completed simulated system call, printable the way strace prints it.</summary>
/// <param name="Sequence">The 1-based index of the call in the process.</param>
/// <param name="Kind">Which call.</param>
/// <param name="Arg0">First argument (address).</param>
/// <param name="Arg1">Second argument (length, or for brk unused).</param>
/// <param name="Arg2">Third argument (protection, new length, advice).</param>
/// <param name="Arg3">Fourth argument (mmap flags, mremap flags).</param>
/// <param name="Arg4">Fifth argument (mremap new address).</param>
/// <param name="Result">The return value (address or 0); for brk the resulting break.</param>
/// <param name="Error">The errno when the call failed.</param>
public readonly record struct SyscallRecord(long Sequence, SyscallKind Kind, ulong Arg0, ulong Arg1, ulong Arg2, ulong Arg3, ulong Arg4, ulong Result, Errno Error)
{
    /// <summary>Formats the call as strace does, for example <c>brk(0x55555557a000) = 0x55555557a000</c>.</summary>
    public string ToStraceString()
    {
        var sb = new StringBuilder(96);
        switch (Kind)
        {
            case SyscallKind.Brk:
                sb.Append("brk(").Append(Pointer(Arg0)).Append(')');
                return sb.Append(" = ").Append(Hex(Result)).ToString();
            case SyscallKind.Mmap:
                sb.Append("mmap(").Append(Pointer(Arg0)).Append(", ").Append(Arg1.ToString(CultureInfo.InvariantCulture))
                  .Append(", ").Append(FormatProtection((Protection)Arg2)).Append(", ").Append(FormatMapFlags((MapFlags)Arg3)).Append(", -1, 0)");
                break;
            case SyscallKind.Munmap:
                sb.Append("munmap(").Append(Pointer(Arg0)).Append(", ").Append(Arg1.ToString(CultureInfo.InvariantCulture)).Append(')');
                break;
            case SyscallKind.Mremap:
                sb.Append("mremap(").Append(Pointer(Arg0)).Append(", ").Append(Arg1.ToString(CultureInfo.InvariantCulture)).Append(", ")
                  .Append(Arg2.ToString(CultureInfo.InvariantCulture)).Append(", ").Append(FormatMremapFlags((MremapFlags)Arg3));
                if (((MremapFlags)Arg3 & MremapFlags.Fixed) != 0)
                {
                    sb.Append(", ").Append(Pointer(Arg4));
                }

                sb.Append(')');
                break;
            case SyscallKind.Mprotect:
                sb.Append("mprotect(").Append(Pointer(Arg0)).Append(", ").Append(Arg1.ToString(CultureInfo.InvariantCulture)).Append(", ")
                  .Append(FormatProtection((Protection)Arg2)).Append(')');
                break;
            case SyscallKind.Madvise:
                sb.Append("madvise(").Append(Pointer(Arg0)).Append(", ").Append(Arg1.ToString(CultureInfo.InvariantCulture)).Append(", ")
                  .Append(FormatAdvice((MadviseAdvice)Arg2)).Append(')');
                break;
        }

        if (Error != Errno.None)
        {
            return sb.Append(" = -1 ").Append(Error.ToString()).Append(" (").Append(Describe(Error)).Append(')').ToString();
        }

        bool returnsAddress = Kind is SyscallKind.Mmap or SyscallKind.Mremap;
        return sb.Append(" = ").Append(returnsAddress ? Hex(Result) : Result.ToString(CultureInfo.InvariantCulture)).ToString();
    }

    /// <inheritdoc/>
    public override string ToString() => ToStraceString();

    private static string Pointer(ulong value) => value == 0 ? "NULL" : Hex(value);

    private static string Hex(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    private static string FormatProtection(Protection p)
    {
        if (p == Protection.None)
        {
            return "PROT_NONE";
        }

        var parts = new List<string>(3);
        if ((p & Protection.Read) != 0)
        {
            parts.Add("PROT_READ");
        }

        if ((p & Protection.Write) != 0)
        {
            parts.Add("PROT_WRITE");
        }

        if ((p & Protection.Exec) != 0)
        {
            parts.Add("PROT_EXEC");
        }

        return string.Join('|', parts);
    }

    private static string FormatMapFlags(MapFlags f)
    {
        var parts = new List<string>(5);
        if ((f & MapFlags.Shared) != 0)
        {
            parts.Add("MAP_SHARED");
        }

        if ((f & MapFlags.Private) != 0)
        {
            parts.Add("MAP_PRIVATE");
        }

        if ((f & MapFlags.Fixed) != 0)
        {
            parts.Add("MAP_FIXED");
        }

        if ((f & MapFlags.Anonymous) != 0)
        {
            parts.Add("MAP_ANONYMOUS");
        }

        if ((f & MapFlags.NoReserve) != 0)
        {
            parts.Add("MAP_NORESERVE");
        }

        if ((f & MapFlags.FixedNoReplace) != 0)
        {
            parts.Add("MAP_FIXED_NOREPLACE");
        }

        return parts.Count == 0 ? "0" : string.Join('|', parts);
    }

    private static string FormatMremapFlags(MremapFlags f) => f switch
    {
        MremapFlags.None => "0",
        MremapFlags.MayMove => "MREMAP_MAYMOVE",
        MremapFlags.Fixed => "MREMAP_FIXED",
        _ => "MREMAP_MAYMOVE|MREMAP_FIXED",
    };

    private static string FormatAdvice(MadviseAdvice a) => a switch
    {
        MadviseAdvice.Normal => "MADV_NORMAL",
        MadviseAdvice.Random => "MADV_RANDOM",
        MadviseAdvice.Sequential => "MADV_SEQUENTIAL",
        MadviseAdvice.WillNeed => "MADV_WILLNEED",
        MadviseAdvice.DontNeed => "MADV_DONTNEED",
        MadviseAdvice.Free => "MADV_FREE",
        MadviseAdvice.HugePage => "MADV_HUGEPAGE",
        _ => ((int)a).ToString(CultureInfo.InvariantCulture),
    };

    private static string Describe(Errno e) => e switch
    {
        Errno.ENOMEM => "Cannot allocate memory",
        Errno.EINVAL => "Invalid argument",
        Errno.EEXIST => "File exists",
        Errno.EFAULT => "Bad address",
        Errno.EACCES => "Permission denied",
        Errno.EAGAIN => "Resource temporarily unavailable",
        Errno.EPERM => "Operation not permitted",
        _ => e.ToString(),
    };
}
