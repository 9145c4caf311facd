// Copyright (c) Allocators contributors. MIT License.

using System.Diagnostics.Metrics;
using Allocators.Hosting;

namespace HostDemo;

/// <summary>Collects the <c>Allocators</c> meter's instruments with a <see cref="MeterListener"/> and prints one line per measurement.</summary>
internal sealed class MetricsPrinter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<string> _lines = [];

    public MetricsPrinter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == AllocatorMetrics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var labels = new List<string>();
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                labels.Add($"{tag.Key}={tag.Value}");
            }

            _lines.Add($"  {instrument.Name,-30} {value,14} {instrument.Unit,-8} {string.Join(' ', labels)}");
        });
        _listener.Start();
    }

    public void Print(TextWriter output)
    {
        _lines.Clear();
        _listener.RecordObservableInstruments();
        output.WriteLine($"metrics (meter \"{AllocatorMetrics.MeterName}\"):");
        foreach (string line in _lines)
        {
            output.WriteLine(line);
        }
    }

    public void Dispose() => _listener.Dispose();
}
