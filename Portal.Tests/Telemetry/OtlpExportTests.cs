using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;
using Portal.Tests.Infrastructure;
using Portal.Tests.Webhooks;

namespace Portal.Tests.Telemetry;

/// OpenTelemetry's standard variables (contract section 1): with `OTEL_EXPORTER_OTLP_ENDPOINT` set, traces and
/// metrics also go out over OTLP; without it no span is made.
public sealed class OtlpExportTests
{
    private const string Secret = "HvPtlQNKMPpHSSqJpCdndXfo7HnGXa1pnH6w5axpxLFn9aRBNBGh4e8/HlonK5mz";

    /// A collector on loopback that keeps each OTLP/HTTP export's path and protobuf body.
    private sealed class Collector : IAsyncDisposable
    {
        private readonly WebApplication _app;
        public ConcurrentQueue<(string Path, byte[] Body)> Exports { get; } = new();

        private Collector(WebApplication app) => _app = app;

        public string BaseUrl => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        public static async Task<Collector> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            // the portal's appsettings.json sits in the test output; none of it may reach the collector
            builder.Configuration.Sources.Clear();
            builder.Configuration.AddInMemoryCollection();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var collector = new Collector(builder.Build());
            collector._app.Run(async context =>
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body);
                collector.Exports.Enqueue((context.Request.Path.Value ?? "", body.ToArray()));
                context.Response.ContentType = "application/x-protobuf";
                context.Response.StatusCode = StatusCodes.Status200OK;
            });
            await collector._app.StartAsync();
            return collector;
        }

        /// Whether an export to `path` has carried `text` (protobuf keeps names as plain UTF-8).
        public bool Exported(string path, string text) =>
            Exports.Any(e => e.Path == path && Encoding.UTF8.GetString(e.Body).Contains(text, StringComparison.Ordinal));

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }

    [Fact]
    public async Task ExportsTracesAndMetricsOverOtlpWhenTheEndpointIsSet()
    {
        await using var collector = await Collector.StartAsync();
        using var factory = new PortalAppFactory(settings: new Dictionary<string, string?>
        {
            ["PagerDuty:WebhookSecrets:0"] = Secret,
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.BaseUrl,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "200",
        });
        using (var client = factory.CreateClientAs(null))
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/pagerduty") { Content = new ByteArrayContent(WebhookIntakeTests.Capture("incident.triggered")) })
        {
            request.Headers.Add("X-PagerDuty-Signature", WebhookIntakeTests.PublishedSignature("incident.triggered"));
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(collector.Exported("/v1/traces", "webhook.process") && collector.Exported("/v1/traces", "portal.correlation_id")
                 && collector.Exported("/v1/metrics", "portal.webhooks.received")))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Nothing came over OTLP with the expected names; exports: {string.Join(", ", collector.Exports.Select(e => e.Path))}");
            await Task.Delay(100);
        }
        Assert.True(collector.Exported("/v1/traces", "POST /api/webhooks/pagerduty"), "ASP.NET Core's request span");
    }

    [Fact]
    public void MakesNoSpansWithoutTheEndpoint()
    {
        using var factory = new PortalAppFactory();
        Assert.Null(factory.Services.GetService<TracerProvider>());
    }
}
