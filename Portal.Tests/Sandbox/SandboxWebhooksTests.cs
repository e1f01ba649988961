using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Links;
using Portal.Core.Logging;
using Portal.Core.PagerDuty;
using Portal.Core.Records;
using Portal.Core.Sandbox;
using Portal.Core.Webhooks;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Sandbox;

/// The sandbox's incident events take the path of real deliveries: a Webhooks v3 body in the webhook table, stored
/// with the sandbox change that raised it, processed oldest first, once, and after a restart.
public sealed class SandboxWebhooksTests : IAsyncLifetime
{
    private const string Responder = "sam@sandbox.portal.invalid";
    private TestDatabase _db = default!;

    public async Task InitializeAsync() => _db = await TestDatabase.WithPagerDutyAsync();
    public async Task DisposeAsync() => await _db.DisposeAsync();

    private SandboxPagerDuty Sandbox => _db.Get<SandboxPagerDuty>();

    private async Task<List<WebhookEventEntity>> StoredAsync(TestDatabase db)
    {
        await using var context = await db.ContextAsync();
        return await context.WebhookEvents.AsNoTracking().OrderBy(e => e.Id).ToListAsync();
    }

    private static async Task<(string RecordId, PdIncident Incident)> LinkedIncidentAsync(TestDatabase db)
    {
        var record = await db.Get<RecordStore>().CreateAsync("Case", JsonDocument.Parse("""{"Subject":"Checkout down"}""").RootElement, ChangeActor.System);
        var incident = await db.Get<SandboxPagerDuty>().CreateIncidentAsync(new PdCreateIncident("Checkout down", "PNE3JZM", PriorityId: "PSBXP2"), Responder, default);
        await db.Get<IncidentLinks>().LinkAsync(record.Id, incident.ToState(), "test");
        await db.DrainEventsAsync();
        return (record.Id, incident);
    }

    [Fact]
    public async Task AnAcknowledgementIsStoredAsAPendingWebhookAndProcessedOnceIntoTheLink()
    {
        var (recordId, incident) = await LinkedIncidentAsync(_db);

        await Sandbox.UpdateIncidentAsync(incident.Id, new PdUpdateIncident(Status: "acknowledged"), Responder, default);

        var row = (await StoredAsync(_db)).Last();
        Assert.Equal((WebhookEventStates.Pending, "incident.acknowledged", incident.Id), (row.State, row.EventType, row.IncidentId));
        // the body is a Webhooks v3 delivery, read by the parser real deliveries go through
        using (var body = JsonDocument.Parse(row.Body))
        {
            var e = PagerDutyWebhookEvent.Parse(body.RootElement)!;
            Assert.Equal((row.EventId, "acknowledge", incident.Number, "acknowledged", "Checkout", "P2", "Checkout on-call", "PSBXU01"),
                (e.EventId, e.Incident.EventType, e.Incident.IncidentNumber, e.Incident.IncidentStatus, e.Incident.ServiceName, e.Incident.Priority,
                    e.Incident.EscalationPolicyName, e.AgentId));
            Assert.Equal(["Sam Responder"], e.Incident.Assignees!);
            Assert.Equal(incident.CreatedUtc, e.Incident.CreatedUtc);
            Assert.Equal("incident", body.RootElement.GetProperty("event").GetProperty("data").GetProperty("type").GetString());
        }
        Assert.Equal("triggered", Assert.Single((await _db.Get<RecordStore>().GetAsync("Case", recordId)).Incidents).Status);

        Assert.Equal(1, await _db.DrainEventsAsync());
        Assert.Equal(0, await _db.DrainEventsAsync());
        Assert.Equal("acknowledged", Assert.Single((await _db.Get<RecordStore>().GetAsync("Case", recordId)).Incidents).Status);
        Assert.Equal(WebhookEventStates.Processed, (await StoredAsync(_db)).Last().State);

        // ops see it as a webhook received, like PagerDuty's
        await _db.Get<IntegrationLog>().FlushAsync();
        var received = (await _db.Get<IntegrationLog>().QueryAsync(new LogQuery(Category: LogCategories.Webhook, IncidentId: incident.Id))).Entries;
        Assert.Contains(received, l => l.Message == $"Received incident.acknowledged for incident {incident.Number}");
    }

    [Fact]
    public async Task ProcessesAnIncidentsEventsInTheOrderRaised()
    {
        var (_, incident) = await LinkedIncidentAsync(_db);
        // one call that raises two events, then three more
        await Sandbox.UpdateIncidentAsync(incident.Id, new PdUpdateIncident(Status: "acknowledged", PriorityId: "PSBXP1"), Responder, default);
        await Sandbox.AddNoteAsync(incident.Id, "Rolling back", Responder, default);
        await Sandbox.AddStatusUpdateAsync(incident.Id, "A fix is rolling out.", Responder, default);
        await Sandbox.UpdateIncidentAsync(incident.Id, new PdUpdateIncident(Status: "resolved"), Responder, default);
        string[] raised = ["incident.acknowledged", "incident.priority_updated", "incident.annotated", "incident.status_update_published", "incident.resolved"];
        Assert.Equal(raised, (await StoredAsync(_db)).Skip(1).Select(e => e.EventType));

        var processed = new List<string>();
        using var _ = _db.Get<Core.Notifications.ChangeNotifier>().Subscribe<Core.Notifications.IncidentEventProcessed>(e => processed.Add(e.Event.EventType));
        // one at a time, as the oldest pending first
        while (await _db.Get<WebhookProcessingService>().ProcessNextAsync(default)) { }

        Assert.Equal(raised, processed);
    }

    [Fact]
    public async Task AnEventStoredBeforeTheProcessStoppedIsProcessedAfterTheRestart()
    {
        var (recordId, incident) = await LinkedIncidentAsync(_db);
        await Sandbox.UpdateIncidentAsync(incident.Id, new PdUpdateIncident(Status: "resolved"), Responder, default);

        // the process stops before its webhook processor took the event
        _db = await _db.RestartAsync();

        Assert.Equal("triggered", Assert.Single((await _db.Get<RecordStore>().GetAsync("Case", recordId)).Incidents).Status);
        Assert.Equal(1, await _db.DrainEventsAsync());
        Assert.Equal("resolved", Assert.Single((await _db.Get<RecordStore>().GetAsync("Case", recordId)).Incidents).Status);
        Assert.All(await StoredAsync(_db), e => Assert.Equal(WebhookEventStates.Processed, e.State));
    }
}
