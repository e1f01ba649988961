using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Portal.Core.Telemetry;

namespace Portal.Tests.Telemetry;

public sealed record CapturedMeasurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);

/// Listens to the `Portal` meter of one service provider (meters are process-wide; the factory tells this test's
/// instruments from those of the tests running beside it).
public sealed class MeterCapture : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<CapturedMeasurement> _measurements = new();
    private readonly ConcurrentQueue<Instrument> _instruments = new();

    public MeterCapture(IMeterFactory factory)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name != PortalMetrics.MeterName || !ReferenceEquals(instrument.Meter.Scope, factory)) return;
            _instruments.Enqueue(instrument);
            listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        _measurements.Enqueue(new CapturedMeasurement(instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));

    /// Every instrument of the meter.
    public IReadOnlyList<Instrument> Instruments => [.. _instruments];

    /// What `instrument` measured with (at least) these tags, added up.
    public double Sum(string instrument, params (string Key, object Value)[] tags) =>
        _measurements.Where(m => m.Instrument == instrument && tags.All(t => Equals(m.Tags.GetValueOrDefault(t.Key), t.Value))).Sum(m => m.Value);

    public IReadOnlyList<CapturedMeasurement> Of(string instrument) => _measurements.Where(m => m.Instrument == instrument).ToList();

    /// Reads the observable gauges now; returns what `gauge` said.
    public IReadOnlyList<CapturedMeasurement> Observe(string gauge)
    {
        _measurements.Clear();
        _listener.RecordObservableInstruments();
        return Of(gauge);
    }

    public void Dispose() => _listener.Dispose();
}
