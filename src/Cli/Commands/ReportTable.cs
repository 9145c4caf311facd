// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Generic;
using System.Globalization;
using Allocators.Cli.Services;
using Spectre.Console;

namespace Allocators.Cli.Commands;

/// <summary>The human table of replay results: one column per strategy.</summary>
internal static class ReportTable
{
    public static void Write(IAnsiConsole console, IReadOnlyList<StrategyReport> reports)
    {
        if (reports.Count > 0)
        {
            console.MarkupLine("[bold]trace:[/] " + Markup.Escape(reports[0].Trace));
        }

        var table = new Table().AddColumn("");
        foreach (var r in reports)
        {
            table.AddColumn(new TableColumn(Markup.Escape(r.Strategy)).RightAligned());
        }

        void Row(string label, System.Func<StrategyReport, string> cell)
        {
            var cells = new List<string> { label };
            foreach (var r in reports)
            {
                cells.Add(Markup.Escape(r.Error is null ? cell(r) : "—"));
            }

            table.AddRow(cells.ToArray());
        }

        Row("calls", r => N(r.Calls));
        Row("skipped calls", r => N(r.SkippedCalls));
        Row("failed allocations", r => N(r.FailedAllocations));
        Row("threads", r => N(r.Threads));
        Row("peak live", r => NumberFormat.Bytes(r.PeakLiveBytes));
        Row("peak RSS", r => NumberFormat.Bytes(r.PeakRssBytes));
        Row("final RSS", r => NumberFormat.Bytes(r.FinalRssBytes));
        Row("peak VSZ", r => NumberFormat.Bytes(r.PeakVszBytes));
        Row("final VSZ", r => NumberFormat.Bytes(r.FinalVszBytes));
        Row("page faults", r => N(r.PageFaults));
        Row("syscalls", r => N(r.Syscalls.Total));
        Row("  brk", r => N(r.Syscalls.Brk));
        Row("  mmap", r => N(r.Syscalls.Mmap));
        Row("  munmap", r => N(r.Syscalls.Munmap));
        Row("  mremap", r => N(r.Syscalls.Mremap));
        Row("  mprotect", r => N(r.Syscalls.Mprotect));
        Row("  madvise", r => N(r.Syscalls.Madvise));
        Row("ns per call", r => r.NsPerCall.ToString("0.0", CultureInfo.InvariantCulture));
        console.Write(table);
        foreach (var r in reports)
        {
            if (r.Error is not null)
            {
                console.MarkupLine($"[red]{Markup.Escape(r.Strategy)} failed:[/] {Markup.Escape(r.Error)}");
            }

            if (r.Output is not null)
            {
                console.MarkupLine($"simulated trace ({Markup.Escape(r.Strategy)}): {Markup.Escape(r.Output)}");
            }
        }
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
