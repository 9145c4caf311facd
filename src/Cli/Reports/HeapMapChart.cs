// Copyright (c) Allocators contributors. MIT License.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Allocators.Workloads.Reports;
using ScottPlot;

namespace Allocators.Cli.Reports;

/// <summary>
/// Draws a heap snapshot: one row per contiguous region, each block a box whose width is its share of the region's
/// bytes (tiny blocks get a sliver so they stay visible), coloured by state, labelled with its address where it fits,
/// with a legend of the states.
/// </summary>
internal static class HeapMapChart
{
    /// <summary>Rows drawn at most; the caption says when regions were left out.</summary>
    public const int MaxRegions = 48;

    private const double RowWidth = 100;
    private const double MinBoxWidth = 0.25;
    private const double LabelMinWidth = 9;

    private static readonly Dictionary<HeapBlockKind, Color> s_colors = new()
    {
        [HeapBlockKind.InUse] = Color.FromHex("#d62728"),
        [HeapBlockKind.Cached] = Color.FromHex("#ff9896"),
        [HeapBlockKind.Free] = Color.FromHex("#2ca02c"),
        [HeapBlockKind.Top] = Color.FromHex("#98df8a"),
        [HeapBlockKind.Mmapped] = Color.FromHex("#1f77b4"),
        [HeapBlockKind.Guard] = Color.FromHex("#7f7f7f"),
        [HeapBlockKind.Metadata] = Color.FromHex("#9467bd"),
    };

    private static readonly Dictionary<HeapBlockKind, string> s_names = new()
    {
        [HeapBlockKind.InUse] = "in use",
        [HeapBlockKind.Cached] = "free, cached (tcache/fastbin/magazine)",
        [HeapBlockKind.Free] = "free (bin, order or slab list)",
        [HeapBlockKind.Top] = "top / unused tail",
        [HeapBlockKind.Mmapped] = "mmapped",
        [HeapBlockKind.Guard] = "guard",
        [HeapBlockKind.Metadata] = "allocator metadata",
    };

    /// <summary>Writes the map as SVG and/or PNG; returns the number of boxes drawn.</summary>
    public static int Write(HeapSnapshot snapshot, string? svgPath, string? pngPath)
    {
        var regions = snapshot.Regions.Take(MaxRegions).ToArray();
        var plot = new Plot();
        int boxes = 0;
        var tickPositions = new List<double>();
        var tickLabels = new List<string>();
        for (int row = 0; row < regions.Length; row++)
        {
            var region = regions[row];
            double top = -row;
            double bottom = top - 0.8;
            double[] widths = Widths(region);
            double x = 0;
            for (int i = 0; i < region.Blocks.Count; i++)
            {
                var block = region.Blocks[i];
                var rect = plot.Add.Rectangle(x, x + widths[i], bottom, top);
                rect.FillColor = s_colors.GetValueOrDefault(block.Kind, Colors.Black);
                rect.LineColor = Colors.White;
                rect.LineWidth = widths[i] < 1 ? 0 : 0.5f;
                boxes++;
                if (widths[i] >= LabelMinWidth)
                {
                    var label = plot.Add.Text($"{Hex(block.Address)}\n{Size(block.Size)}", x + (widths[i] / 2), (top + bottom) / 2);
                    label.LabelAlignment = Alignment.MiddleCenter;
                    label.LabelFontSize = 10;
                    label.LabelFontColor = Colors.Black;
                }

                x += widths[i];
            }

            tickPositions.Add((top + bottom) / 2);
            tickLabels.Add($"{Hex(region.Start)} ({Size(region.Size)})");
        }

        plot.Axes.Left.SetTicks(tickPositions.ToArray(), tickLabels.ToArray());
        plot.Axes.Bottom.SetTicks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"]);
        plot.Axes.SetLimits(-1, RowWidth + 1, -regions.Length - 0.2, 0.4);
        plot.Grid.IsVisible = false;
        string caption = $"{snapshot.Strategy} heap at call {snapshot.Call.ToString("N0", CultureInfo.InvariantCulture)}: {snapshot.Blocks.Count} blocks in {snapshot.Regions.Count} regions";
        if (snapshot.Regions.Count > regions.Length)
        {
            caption += $" (first {regions.Length} regions shown)";
        }

        plot.Title(caption);
        plot.XLabel("share of the region's bytes (blocks under 0.25% widened to stay visible)");
        foreach (var kind in snapshot.Blocks.Select(b => b.Kind).Distinct().OrderBy(k => k))
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = s_names[kind], FillColor = s_colors[kind] });
        }

        plot.ShowLegend(Edge.Right);
        int height = 160 + (48 * Math.Max(1, regions.Length));
        if (svgPath is not null)
        {
            plot.SaveSvg(svgPath, 1400, height);
        }

        if (pngPath is not null)
        {
            plot.SavePng(pngPath, 1400, height);
        }

        return boxes;
    }

    private static double[] Widths(HeapRegion region)
    {
        double size = Math.Max(1, region.Size);
        double[] raw = region.Blocks.Select(b => Math.Max(MinBoxWidth, RowWidth * b.Size / size)).ToArray();
        double total = raw.Sum();
        return raw.Select(w => w * RowWidth / total).ToArray();
    }

    private static string Hex(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    private static string Size(ulong bytes) => bytes switch
    {
        >= 1UL << 20 when bytes % (1UL << 20) == 0 => $"{bytes >> 20} MiB",
        >= 1UL << 10 when bytes % (1UL << 10) == 0 => $"{bytes >> 10} KiB",
        _ => $"{bytes} B",
    };
}
