// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using Allocators.Cli.Services;
using Allocators.Workloads;

namespace Allocators.Cli.Reports;

/// <summary>
/// <c>compare --report DIR</c>: <c>report.md</c> and <c>report.html</c> with charts (SVG and PNG) of RSS, VSZ and live
/// bytes over the call index per strategy, system calls per strategy, internal and external fragmentation over
/// time, and a summary table.
/// </summary>
internal static class CompareReport
{
    /// <summary>Samples per replay the report asks for (about).</summary>
    public const int TargetSamples = 400;

    /// <summary>Writes the report; returns the paths of every file written.</summary>
    public static IReadOnlyList<string> Write(string directory, string trace, IReadOnlyList<(StrategyReport Report, ReplayResult? Result)> runs)
    {
        Directory.CreateDirectory(directory);
        var ok = runs.Where(r => r.Result is not null).Select(r => (r.Report, Result: r.Result!)).ToArray();
        var files = new List<string>();
        var charts = new List<(string Title, string Svg, string Png)>();

        void Line(string name, string title, string unit, Func<ReplaySample, double> value)
        {
            var series = ok.Select(r => (r.Report.Strategy, r.Result.Samples.Select(s => (double)s.Call).ToArray(), r.Result.Samples.Select(value).ToArray())).ToArray();
            var (svg, png) = Charts.Lines(directory, name, title, unit, series);
            charts.Add((title, svg, png));
        }

        Line("rss", "RSS over calls", "bytes", s => s.RssBytes);
        Line("vsz", "VSZ over calls", "bytes", s => s.VszBytes);
        Line("live", "Live bytes (requested) over calls", "bytes", s => s.LiveRequestedBytes);
        Line("held", "Bytes held from the OS over calls", "bytes", s => s.HeldBytes);
        Line("fragmentation-internal", "Internal fragmentation (1 - requested / allocated)", "fraction", s => s.AllocatedBytes == 0 ? 0 : 1.0 - ((double)s.LiveRequestedBytes / s.AllocatedBytes));
        Line("fragmentation-external", "External fragmentation (1 - largest free / free)", "fraction", s => s.Fragmentation);
        var (sysSvg, sysPng) = Charts.Bars(directory, "syscalls", "System calls per strategy", "calls", ok.Select(r => (r.Report.Strategy, (double)r.Report.Syscalls.Total)).ToArray());
        charts.Add(("System calls per strategy", sysSvg, sysPng));
        foreach (var chart in charts)
        {
            files.Add(chart.Svg);
            files.Add(chart.Png);
        }

        string md = Path.Combine(directory, "report.md");
        File.WriteAllText(md, Markdown(trace, runs.Select(r => r.Report).ToArray(), charts, directory));
        string html = Path.Combine(directory, "report.html");
        File.WriteAllText(html, Html(trace, runs.Select(r => r.Report).ToArray(), charts, directory));
        files.Add(md);
        files.Add(html);
        return files;
    }

    private static (string Header, Func<StrategyReport, string> Cell)[] Columns() =>
    [
        ("strategy", r => r.Strategy),
        ("calls", r => N(r.Calls)),
        ("peak live", r => NumberFormat.Bytes(r.PeakLiveBytes)),
        ("peak RSS", r => NumberFormat.Bytes(r.PeakRssBytes)),
        ("final RSS", r => NumberFormat.Bytes(r.FinalRssBytes)),
        ("peak VSZ", r => NumberFormat.Bytes(r.PeakVszBytes)),
        ("page faults", r => N(r.PageFaults)),
        ("syscalls", r => N(r.Syscalls.Total)),
        ("brk", r => N(r.Syscalls.Brk)),
        ("mmap", r => N(r.Syscalls.Mmap)),
        ("munmap", r => N(r.Syscalls.Munmap)),
        ("ns/call", r => r.NsPerCall.ToString("0.0", CultureInfo.InvariantCulture)),
    ];

    private static string Markdown(string trace, StrategyReport[] reports, List<(string Title, string Svg, string Png)> charts, string directory)
    {
        var sb = new StringBuilder();
        sb.Append("# Allocation report: ").AppendLine(Path.GetFileName(trace)).AppendLine();
        sb.Append("Trace `").Append(trace).AppendLine("`, replayed through each strategy on a simulated Linux process.").AppendLine();
        var columns = Columns();
        sb.Append("| ").AppendJoin(" | ", columns.Select(c => c.Header)).AppendLine(" |");
        sb.Append('|').AppendJoin('|', columns.Select(_ => "---")).AppendLine("|");
        foreach (var r in reports)
        {
            sb.Append("| ").AppendJoin(" | ", columns.Select(c => r.Error is null || c.Header == "strategy" ? c.Cell(r) : "—")).AppendLine(" |");
        }

        foreach (var r in reports.Where(r => r.Error is not null))
        {
            sb.AppendLine().Append("**").Append(r.Strategy).Append(" failed:** ").AppendLine(r.Error);
        }

        foreach (var chart in charts)
        {
            sb.AppendLine().Append("## ").AppendLine(chart.Title).AppendLine();
            sb.Append("![").Append(chart.Title).Append("](").Append(Path.GetRelativePath(directory, chart.Svg)).Append(") ([PNG](")
              .Append(Path.GetRelativePath(directory, chart.Png)).AppendLine("))");
        }

        return sb.ToString();
    }

    private static string Html(string trace, StrategyReport[] reports, List<(string Title, string Svg, string Png)> charts, string directory)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        var sb = new StringBuilder();
        sb.AppendLine("<!DOCTYPE html>").AppendLine("<html lang=\"en\"><head><meta charset=\"utf-8\">");
        sb.Append("<title>Allocation report: ").Append(E(Path.GetFileName(trace))).AppendLine("</title>");
        sb.AppendLine("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#eee}td:first-child{text-align:left}</style>");
        sb.AppendLine("</head><body>");
        sb.Append("<h1>Allocation report: ").Append(E(Path.GetFileName(trace))).AppendLine("</h1>");
        sb.Append("<p>Trace <code>").Append(E(trace)).AppendLine("</code>, replayed through each strategy on a simulated Linux process.</p>");
        var columns = Columns();
        sb.Append("<table><tr>").AppendJoin(string.Empty, columns.Select(c => "<th>" + E(c.Header) + "</th>")).AppendLine("</tr>");
        foreach (var r in reports)
        {
            sb.Append("<tr>").AppendJoin(string.Empty, columns.Select(c => "<td>" + E(r.Error is null || c.Header == "strategy" ? c.Cell(r) : "—") + "</td>")).AppendLine("</tr>");
        }

        sb.AppendLine("</table>");
        foreach (var chart in charts)
        {
            sb.Append("<h2>").Append(E(chart.Title)).AppendLine("</h2>");
            sb.Append("<img src=\"").Append(E(Path.GetRelativePath(directory, chart.Svg))).Append("\" alt=\"").Append(E(chart.Title)).AppendLine("\">");
        }

        sb.AppendLine("</body></html>");
        return sb.ToString();
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
