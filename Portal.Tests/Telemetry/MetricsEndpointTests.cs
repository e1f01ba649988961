using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Dispatch;
using Portal.Core.Persistence;
using Portal.Core.Rulesets;
using Portal.Core.Security;
using Portal.Core.Webhooks;
using Portal.Tests.Infrastructure;
using Portal.Tests.Rulesets;
using Portal.Tests.Webhooks;

namespace Portal.Tests.Telemetry;

/// `GET /metrics` (contract section 2): Portal's meters in Prometheus's text format, for any role, and what
/// `Metrics:Enabled` and `Metrics:AllowAnonymous` change.
public sealed class MetricsEndpointTests
{
    private const string Secret = "HvPtlQNKMPpHSSqJpCdndXfo7HnGXa1pnH6w5axpxLFn9aRBNBGh4e8/HlonK5mz";

    private static async Task<PrometheusScrape> ScrapeAsync(PortalAppFactory factory, string role = Roles.Auditor)
    {
        using var client = factory.CreateClientAs(role);
        using var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        return new PrometheusScrape(await response.Content.ReadAsStringAsync());
    }

    /// The delivery, the rules and the dispatcher run in the background: scrape until `done` holds, within a bound.
    private static async Task<PrometheusScrape> ScrapeUntilAsync(PortalAppFactory factory, Func<PrometheusScrape, Task<bool>> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var scrape = await ScrapeAsync(factory);
            if (await done(scrape)) return scrape;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The metrics never showed the expected values:\n{scrape.Text}");
            await Task.Delay(100);
        }
    }

    private static async Task DeliverAsync(PortalAppFactory factory, string signature, HttpStatusCode expected)
    {
        using var client = factory.CreateClientAs(null);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/pagerduty") { Content = new ByteArrayContent(WebhookIntakeTests.Capture("incident.triggered")) };
        request.Headers.Add("X-PagerDuty-Signature", signature);
        using var response = await client.SendAsync(request);
        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task ServesPortalsMetersAfterAWebhookDeliveryAndADispatchedAction()
    {
        using var factory = new PortalAppFactory(settings: new Dictionary<string, string?> { ["PagerDuty:WebhookSecrets:0"] = Secret });
        await factory.Services.GetRequiredService<RulesetStore>().SaveAsync(RulesWiringTests.ContractExample, "admin");

        await DeliverAsync(factory, WebhookIntakeTests.PublishedSignature("incident.triggered"), HttpStatusCode.Accepted);
        await DeliverAsync(factory, "v1=" + new string('0', 64), HttpStatusCode.Forbidden);
        using (var client = factory.CreateClientAs(Roles.User))
        using (var created = await client.PostAsync("/api/objects/Case/records",
                   new StringContent("""{"fields":{"Subject":"Checkout down","Priority":"High"}}""", Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        // done: the action dispatched to the sandbox, and every stored event (the delivery, the sandbox's own) processed and counted
        var dbFactory = factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        var processedInDatabase = 0;
        var scrape = await ScrapeUntilAsync(factory, async s =>
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            if (await db.WebhookEvents.AnyAsync(e => e.State == WebhookEventStates.Pending)) return false;
            processedInDatabase = await db.WebhookEvents.CountAsync(e => e.State == WebhookEventStates.Processed);
            return s.Value("portal_actions_total", "type=createIncident", "outcome=succeeded") == 1
                && s.Value("portal_webhooks_processed_total", "outcome=processed") == processedInDatabase
                // the scrape itself saw no event waiting (the sandbox's own events may still be arriving between reads)
                && s.Value("portal_webhooks_lag_seconds") == 0 && s.Value("portal_outbox_depth", "state=pending") == 0
                && s.Value("portal_outbox_depth", "state=inFlight") == 0;
        });

        Assert.True(processedInDatabase >= 2, $"the delivery and the sandbox's incident.triggered: {processedInDatabase}");
        Assert.Equal(1, scrape.Value("portal_webhooks_received_total", "outcome=stored"));
        Assert.Null(scrape.Value("portal_webhooks_received_total", "outcome=duplicate"));
        Assert.Equal(1, scrape.Value("portal_webhooks_refused_total", "reason=forbidden"));
        Assert.Null(scrape.Value("portal_webhooks_processed_total", "outcome=failed"));
        Assert.Equal(0, scrape.Value("portal_webhooks_lag_seconds"));
        Assert.Equal(0, scrape.Value("portal_outbox_depth", "state=pending"));
        Assert.Equal(0, scrape.Value("portal_outbox_depth", "state=inFlight"));
        Assert.Equal(0, scrape.Value("portal_outbox_oldest_due_age_seconds"));
        // the case's creation ran the record rules once; each processed incident event ran the PagerDuty rules
        Assert.Equal(1, scrape.Value("portal_rules_evaluation_duration_seconds_count", "trigger=record"));
        Assert.Equal(processedInDatabase, scrape.Value("portal_rules_evaluation_duration_seconds_count", "trigger=pagerDuty"));
        Assert.Equal(1, scrape.Value("portal_rules_evaluation_duration_seconds_bucket", "trigger=record", "le=+Inf"));
        // the sandbox is not PagerDuty: no request was sent, and what the dispatcher took for its action went back
        Assert.DoesNotContain(scrape.Samples, s => s.Name == "portal_pagerduty_requests_total");
        Assert.Equal(720, scrape.Value("portal_pagerduty_budget_remaining", "caller=dispatch"));
        Assert.NotNull(scrape.Value("portal_pagerduty_budget_remaining", "caller=interactive"));
        Assert.Contains("# TYPE portal_webhooks_received_total counter", scrape.Text);
        Assert.Contains("# TYPE portal_rules_evaluation_duration_seconds histogram", scrape.Text);
        // ASP.NET Core's own meter, from this host only
        Assert.Contains(scrape.Samples, s => s.Name == "http_server_request_duration_seconds_count" && s.Labels.GetValueOrDefault("http_route") == "/api/webhooks/pagerduty");
    }

    [Fact]
    public async Task CountsOnlyItsOwnHostsMeasurements()
    {
        // two portals in one process (as the tests run them): each meter is its host's, though all are named Portal
        using var other = new PortalAppFactory(settings: new Dictionary<string, string?> { ["PagerDuty:WebhookSecrets:0"] = Secret });
        using var factory = new PortalAppFactory();
        Assert.Null((await ScrapeAsync(factory)).Value("portal_webhooks_received_total", "outcome=stored"));
        await DeliverAsync(other, WebhookIntakeTests.PublishedSignature("incident.triggered"), HttpStatusCode.Accepted);

        Assert.Equal(1, (await ScrapeAsync(other)).Value("portal_webhooks_received_total", "outcome=stored"));
        var mine = await ScrapeAsync(factory);
        Assert.Null(mine.Value("portal_webhooks_received_total", "outcome=stored"));
        Assert.DoesNotContain(mine.Samples, s => s.Labels.GetValueOrDefault("http_route") == "/api/webhooks/pagerduty");
        Assert.Single(mine.Samples, s => s.Name == "portal_outbox_depth" && s.Labels["state"] == "pending");
    }

    [Fact]
    public async Task AnswersOnlyGet()
    {
        using var factory = new PortalAppFactory();
        using var client = factory.CreateClientAs(Roles.Administrator);
        using var response = await client.PostAsync("/metrics", null);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task RefusesAnonymousCallersWith401()
    {
        using var factory = new PortalAppFactory();
        using var client = factory.CreateClientAs(null);
        using var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ServesAnonymousCallersWhenAllowed()
    {
        using var factory = new PortalAppFactory(settings: new Dictionary<string, string?> { ["Metrics:AllowAnonymous"] = "true" });
        using var client = factory.CreateClientAs(null);
        using var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("portal_pagerduty_budget_remaining", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task IsNotThereWhenDisabled()
    {
        using var factory = new PortalAppFactory(settings: new Dictionary<string, string?> { ["Metrics:Enabled"] = "false" });
        using var client = factory.CreateClientAs(Roles.Administrator);
        using var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
