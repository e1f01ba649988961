using Portal.Core.Security;
using Portal.Telemetry;

namespace Portal.Endpoints;

/// Contract section 2: `GET /metrics`, Prometheus's text format, for any role (or anyone with
/// `Metrics:AllowAnonymous`); not there at all with `Metrics:Enabled` false.
public static class MetricsEndpoints
{
    public const string Path = "/metrics";

    public static IEndpointRouteBuilder MapMetricsEndpoints(this IEndpointRouteBuilder app)
    {
        var options = TelemetrySetup.MetricsOptionsOf(app.ServiceProvider.GetRequiredService<IConfiguration>());
        if (!options.Enabled) return app;
        // a scrape is not traffic: it stays out of the HTTP request metrics it serves
        var endpoint = app.MapPrometheusScrapingEndpoint(Path).DisableHttpMetrics().WithMetadata(new HttpMethodMetadata([HttpMethods.Get]));
        if (options.AllowAnonymous) endpoint.AllowAnonymous();
        else endpoint.RequireAuthorization(Permissions.Read);
        return app;
    }
}
