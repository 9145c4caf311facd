// Copyright (c) Allocators contributors. MIT License.

using System.Collections.Generic;
using System.IO;
using System.Linq;
using ScottPlot;

namespace Allocators.Cli.Reports;

/// <summary>Charts drawn with ScottPlot, each saved as SVG and PNG side by side.</summary>
internal static class Charts
{
    public const int Width = 900;
    public const int Height = 450;

    /// <summary>One line per series over the call index.</summary>
    public static (string Svg, string Png) Lines(
        string directory,
        string name,
        string title,
        string yLabel,
        IReadOnlyList<(string Label, double[] X, double[] Y)> series)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < series.Count; i++)
        {
            var (label, x, y) = series[i];
            if (x.Length == 0)
            {
                continue;
            }

            var line = plot.Add.ScatterLine(x, y, palette.GetColor(i));
            line.LegendText = label;
            line.LineWidth = 2;
        }

        plot.Title(title);
        plot.XLabel("call index");
        plot.YLabel(yLabel);
        plot.ShowLegend(Alignment.UpperLeft);
        return Save(plot, directory, name);
    }

    /// <summary>One bar per label.</summary>
    public static (string Svg, string Png) Bars(string directory, string name, string title, string yLabel, IReadOnlyList<(string Label, double Value)> bars)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var items = bars.Select((b, i) => new Bar { Position = i, Value = b.Value, FillColor = palette.GetColor(i), Label = b.Value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) }).ToArray();
        var plottable = plot.Add.Bars(items);
        plottable.ValueLabelStyle.FontSize = 14;
        plot.Axes.Bottom.SetTicks(bars.Select((_, i) => (double)i).ToArray(), bars.Select(b => b.Label).ToArray());
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.YLabel(yLabel);
        plot.Legend.ManualItems.AddRange(bars.Select((b, i) => new LegendItem { LabelText = b.Label, FillColor = palette.GetColor(i) }));
        plot.ShowLegend(Alignment.UpperRight);
        return Save(plot, directory, name);
    }

    /// <summary>Saves <paramref name="plot"/> as <c>name.svg</c> and <c>name.png</c> in <paramref name="directory"/>.</summary>
    public static (string Svg, string Png) Save(Plot plot, string directory, string name, int width = Width, int height = Height)
    {
        string svg = Path.Combine(directory, name + ".svg");
        string png = Path.Combine(directory, name + ".png");
        plot.SaveSvg(svg, width, height);
        plot.SavePng(png, width, height);
        return (svg, png);
    }
}
