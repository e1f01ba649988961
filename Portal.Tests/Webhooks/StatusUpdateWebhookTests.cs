using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Persistence;
using Portal.Core.StatusDashboard;
using Portal.Core.Webhooks;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Webhooks;

/// `incident.status_update_published` through the HTTP intake, signed with the configured secret, as PagerDuty sends
/// it: `data.type` is `incident_status_update`, the update's id and message are in `data`, the incident a reference.
public sealed class StatusUpdateWebhookTests : IDisposable
{
    private const string Secret = "HvPtlQNKMPpHSSqJpCdndXfo7HnGXa1pnH6w5axpxLFn9aRBNBGh4e8/HlonK5mz";
    private readonly PortalAppFactory _factory = new(settings: new Dictionary<string, string?> { ["PagerDuty:WebhookSecrets:0"] = Secret });

    public void Dispose() => _factory.Dispose();

    public static string Body(string eventId, string updateId, string message) => """
        {"event":{"id":"EVENT_ID","event_type":"incident.status_update_published","resource_type":"incident","occurred_at":"2026-03-02T10:05:00.123Z",
         "agent":{"html_url":"https://acme.pagerduty.com/users/PVE0ZR9","id":"PVE0ZR9","self":"https://api.pagerduty.com/users/PVE0ZR9","summary":"Ben","type":"user_reference"},
         "client":null,
         "data":{"incident":{"html_url":"https://acme.pagerduty.com/incidents/Q2CKYRLH85UNN4","id":"Q2CKYRLH85UNN4","self":"https://api.pagerduty.com/incidents/Q2CKYRLH85UNN4","summary":"Checkout is slow","type":"incident_reference"},
          "id":"UPDATE_ID","message":"MESSAGE","trimmed":false,"type":"incident_status_update"}}}
        """.Replace("EVENT_ID", eventId).Replace("UPDATE_ID", updateId).Replace("MESSAGE", message);

    private async Task DeliverAsync(string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        using var client = _factory.CreateClientAs(null);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/pagerduty") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-PagerDuty-Signature", WebhookSignature.Sign(bytes, Secret));
        request.Headers.Add("X-Webhook-Id", Guid.NewGuid().ToString());
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public void ReadsTheStatusUpdateAsPagerDutySendsIt()
    {
        using var document = System.Text.Json.JsonDocument.Parse(Body("01ABC", "PXSU001", "Investigating."));
        var e = PagerDutyWebhookEvent.Parse(document.RootElement)!;
        Assert.Equal(new WebhookStatusUpdate("PXSU001", "Investigating.", false, "Ben"), e.StatusUpdate);
        Assert.Equal(("Q2CKYRLH85UNN4", "statusUpdate"), (e.Incident.IncidentId, e.Incident.EventType));
        Assert.Null(e.Note);
    }

    [Fact]
    public async Task StoresTheStatusUpdateOfADeliveryOnce()
    {
        var updates = _factory.Services.GetRequiredService<IncidentStatusUpdates>();
        await DeliverAsync(Body("01STATUS0001", "PXSU001", "We are investigating slow checkouts."));
        // PagerDuty retries with the same update under a new event id (a second subscription, say): still one update
        await DeliverAsync(Body("01STATUS0002", "PXSU001", "We are investigating slow checkouts."));
        await DeliverAsync(Body("01STATUS0003", "PXSU002", "A fix is rolling out."));

        // once all three deliveries are processed, a duplicate would be stored already: wait for that, not for a time
        var contexts = _factory.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        for (var deadline = DateTime.UtcNow.AddSeconds(10); ; await Task.Delay(50))
        {
            await using var db = await contexts.CreateDbContextAsync();
            if (await db.WebhookEvents.CountAsync(e => e.State == WebhookEventStates.Processed) == 3) break;
            Assert.True(DateTime.UtcNow < deadline, "The three deliveries were not processed within 10 s.");
        }
        var stored = await updates.ForIncidentAsync("Q2CKYRLH85UNN4");

        Assert.Equal(["A fix is rolling out.", "We are investigating slow checkouts."], stored.Select(u => u.Message).Order());
        Assert.All(stored, u => Assert.Equal((StatusUpdateSources.Webhook, "Ben"), (u.Source, u.Author)));
        Assert.Equal(new DateTime(2026, 3, 2, 10, 5, 0, 123, DateTimeKind.Utc), stored.Single(u => u.Message.StartsWith("We")).CreatedUtc);
    }
}
