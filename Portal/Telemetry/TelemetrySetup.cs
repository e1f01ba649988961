using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Portal.Core.Telemetry;

namespace Portal.Telemetry;

/// The `Metrics` configuration section (contract section 1).
public sealed class MetricsEndpointOptions
{
    public const string Section = "Metrics";

    /// Serve `GET /metrics` in Prometheus's text format.
    public bool Enabled { get; set; } = true;

    /// Serve it to callers without credentials too (a scraper inside a trusted network); else any role's token.
    public bool AllowAnonymous { get; set; }
}

public static class TelemetrySetup
{
    /// OpenTelemetry's standard variable: with it set, traces and metrics are also exported over OTLP (its other
    /// `OTEL_*` variables, protocol and headers among them, apply as the exporter documents them).
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// Portal's meter and spans, ASP.NET Core's and HttpClient's, exported to the Prometheus scrape endpoint (unless
    /// `Metrics:Enabled` is false) and over OTLP (when `OTEL_EXPORTER_OTLP_ENDPOINT` is set). Nothing to export,
    /// nothing is collected.
    public static IHostApplicationBuilder AddTelemetry(this IHostApplicationBuilder builder)
    {
        builder.Services.AddPortalMetrics();
        var options = MetricsOptionsOf(builder.Configuration);
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointVariable]);
        if (!options.Enabled && !otlp) return builder;

        var telemetry = builder.Services.AddOpenTelemetry().ConfigureResource(resource =>
        {
            // OTEL_SERVICE_NAME, when set, names the service instead
            if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_SERVICE_NAME"])) resource.AddService("portal");
        });
        builder.Services.ConfigureOpenTelemetryMeterProvider((services, metrics) =>
            metrics.AddView(OnlyThisHost(services.GetRequiredService<IMeterFactory>())));
        telemetry.WithMetrics(metrics =>
        {
            metrics.AddMeter(PortalMetrics.MeterName, "System.Runtime").AddAspNetCoreInstrumentation().AddHttpClientInstrumentation();
            if (options.Enabled) metrics.AddPrometheusExporter();
            if (otlp) metrics.AddOtlpExporter();
        });
        // spans go nowhere without OTLP: then none are made
        if (otlp)
            telemetry.WithTracing(tracing => tracing
                .AddSource(PortalActivities.SourceName)
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsProbe(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddOtlpExporter());
        return builder;
    }

    public static MetricsEndpointOptions MetricsOptionsOf(IConfiguration configuration) =>
        configuration.GetSection(MetricsEndpointOptions.Section).Get<MetricsEndpointOptions>() ?? new MetricsEndpointOptions();

    /// A meter made by another host's `IMeterFactory` in the same process (the tests' many hosts) is that host's: its
    /// instruments, Portal's and ASP.NET Core's alike, would otherwise add up in this host's answers. Meters of no
    /// factory (the runtime's) are the process's and stay.
    private static Func<Instrument, MetricStreamConfiguration?> OnlyThisHost(IMeterFactory own) =>
        instrument => instrument.Meter.Scope is { } scope && !ReferenceEquals(scope, own) ? MetricStreamConfiguration.Drop : null;

    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments("/metrics") || path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz");
}
