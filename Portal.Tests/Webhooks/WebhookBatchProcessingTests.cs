using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Links;
using Portal.Core.Persistence;
using Portal.Core.Records;
using Portal.Core.Rulesets;
using Portal.Core.Webhooks;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Webhooks;

/// The webhook processor takes stored events in batches (one transaction, one savepoint per event): still oldest
/// first, each exactly once, and one event that fails is rolled back and marked failed without holding up the rest.
public class WebhookBatchProcessingTests : OnEitherDatabase, IAsyncLifetime
{
    private const string Incident = "Q2CKYRLH85UNN4";
    private TestDatabase _db = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.WithPagerDutyAsync(configure: s => s.AddSingleton<IRecordChangeHandler, FailsOnBoom>(), postgres: await PostgresAsync());
        await _db.Get<RulesetStore>().SaveAsync("""
            {"schemaVersion":1,"rulesets":[{"name":"PD > SFDC","enabled":true,"rules":[
              {"name":"Case for the webhook tester","object":"Case","runOn":"pagerDutyIncidentCreateOrUpdate","when":"all",
               "conditions":[{"field":"pd.service","operator":"equals","value":"PNE3JZM"}],"executeFor":"newOnly",
               "actions":[{"type":"createRecord","fields":{"Subject":"PagerDuty #{{pd.incidentNumber}}: {{pd.incidentTitle}}","Status":"New"}}]},
              {"name":"Mirror","object":"Case","runOn":"pagerDutyIncidentCreateOrUpdate","when":"any",
               "conditions":[{"field":"pd.eventType","operator":"in","value":["acknowledge","resolve"]}],"executeFor":"allLinked",
               "actions":[{"type":"setField","field":"Status","value":"{{pd.incidentStatus}}"}]}]}]}
            """, "admin");
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    /// A record change handler that fails for cases whose subject says "boom", after the record was added.
    private sealed class FailsOnBoom : IRecordChangeHandler
    {
        public Task OnRecordChangedAsync(RecordChange change, PortalDbContext db, CancellationToken cancellationToken) =>
            change.New["Subject"]?.GetValue<string>().Contains("boom") == true ? throw new InvalidOperationException("boom handler") : Task.CompletedTask;
    }

    private static string Capture(string name, string? eventId = null, string? incidentId = null, string? title = null)
    {
        var text = Encoding.UTF8.GetString(WebhookIntakeTests.Capture(name));
        if (incidentId is not null) text = text.Replace(Incident, incidentId, StringComparison.Ordinal);
        if (title is not null) text = text.Replace("\"title\":\"Test\"", $"\"title\":\"{title}\"", StringComparison.Ordinal);
        if (eventId is not null)
        {
            using var document = System.Text.Json.JsonDocument.Parse(text);
            text = text.Replace(document.RootElement.GetProperty("event").GetProperty("id").GetString()!, eventId, StringComparison.Ordinal);
        }
        return text;
    }

    private Task<List<long>> StoreAsync(params (string EventId, string Type, string Body)[] events) =>
        StoreAsync(events.Select(e => (e.EventId, e.Type, e.Body, Incident)).ToArray());

    private async Task<List<long>> StoreAsync(params (string EventId, string Type, string Body, string IncidentId)[] events)
    {
        await using var db = await _db.ContextAsync();
        var rows = events.Select(e => new WebhookEventEntity
        {
            EventId = e.EventId, EventType = e.Type, IncidentId = e.IncidentId, Body = e.Body, ReceivedUtc = _db.Clock.GetUtcNow().UtcDateTime,
            OccurredUtc = OccurredAt(e.Body),
        }).ToList();
        foreach (var row in rows)
        {
            db.WebhookEvents.Add(row);
            await db.SaveChangesAsync(); // one by one, so that the ids follow the order given
        }
        return rows.Select(r => r.Id).ToList();
    }

    // as the intake stores it
    private static DateTime? OccurredAt(string body)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(body);
            return PagerDutyWebhookEvent.Parse(document.RootElement)?.OccurredAt?.UtcDateTime;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    [Fact]
    public async Task OneBatchKeepsTheOrderProcessesEachEventOnceAndFailsOnlyTheBrokenOnes()
    {
        var ids = await StoreAsync(
            ("E1", "incident.triggered", Capture("incident.triggered", eventId: "E1")),
            ("E2", "incident.triggered", Capture("incident.triggered", eventId: "E2", incidentId: "QBOOM000000001", title: "boom")),
            ("E3", "incident.acknowledged", Capture("incident.acknowledged", eventId: "E3")),
            ("E4", "incident.triggered", "{ not json"),
            ("E5", "incident.resolved", Capture("incident.resolved", eventId: "E5")),
            ("E6", "incident.annotated", Capture("incident.annotated", eventId: "E6")),
            ("E7", "incident.annotated", Capture("incident.annotated", eventId: "E7")));
        var processing = _db.Get<WebhookProcessingService>();

        Assert.Equal(7, await processing.ProcessBatchAsync(64, default));
        Assert.Equal(0, await processing.ProcessBatchAsync(64, default)); // nothing is taken twice

        await using var db = await _db.ContextAsync();
        var states = await db.WebhookEvents.AsNoTracking().OrderBy(e => e.Id).ToListAsync();
        Assert.Equal(ids, states.Select(e => e.Id));
        Assert.Equal(["processed", "failed", "processed", "failed", "processed", "processed", "processed"], states.Select(e => e.State));
        Assert.Equal("boom handler", states[1].Error);
        Assert.NotNull(states[3].Error);
        Assert.All(states, e => Assert.NotNull(e.ProcessedUtc));

        // the failed event left nothing behind (its case was added, then rolled back with its savepoint)
        Assert.Empty(await db.Records.AsNoTracking().Where(r => r.FieldsJson.Contains("boom")).ToListAsync());
        Assert.Empty(await _db.Get<IncidentLinks>().ForIncidentAsync("QBOOM000000001"));

        // the good ones, in order: one case, acknowledged then resolved, and the note brought back once
        var link = Assert.Single(await _db.Get<IncidentLinks>().ForIncidentAsync(Incident));
        var records = _db.Get<RecordStore>();
        var record = await records.GetAsync("Case", link.RecordId);
        Assert.Equal("PagerDuty #37: Test", record.Fields["Subject"]!.GetValue<string>());
        Assert.Equal("resolved", record.Fields["Status"]!.GetValue<string>());
        Assert.Equal("resolved", link.Status);
        Assert.Single(await records.ListCommentsAsync("Case", link.RecordId));
        Assert.Single(await db.Records.AsNoTracking().ToListAsync());
    }

    [Fact]
    public async Task ABatchTakesNoMoreThanItsSizeAndTheNextOneGoesOn()
    {
        await StoreAsync(
            ("E1", "incident.triggered", Capture("incident.triggered", eventId: "E1")),
            ("E2", "incident.acknowledged", Capture("incident.acknowledged", eventId: "E2")),
            ("E3", "incident.resolved", Capture("incident.resolved", eventId: "E3")));
        var processing = _db.Get<WebhookProcessingService>();

        Assert.Equal(2, await processing.ProcessBatchAsync(2, default));
        await using (var db = await _db.ContextAsync())
            Assert.Equal(["processed", "processed", "pending"], await db.WebhookEvents.AsNoTracking().OrderBy(e => e.Id).Select(e => e.State).ToListAsync());
        var link = Assert.Single(await _db.Get<IncidentLinks>().ForIncidentAsync(Incident));
        Assert.Equal("acknowledged", (await _db.Get<RecordStore>().GetAsync("Case", link.RecordId)).Fields["Status"]!.GetValue<string>());

        Assert.True(await processing.ProcessNextAsync(default));
        Assert.False(await processing.ProcessNextAsync(default));
        Assert.Equal("resolved", (await _db.Get<RecordStore>().GetAsync("Case", link.RecordId)).Fields["Status"]!.GetValue<string>());
    }

    [Fact]
    public async Task AnEventOlderThanOneProcessedAlreadyIsNotAppliedOverItAndSaysSo()
    {
        var start = new DateTime(2026, 3, 2, 10, 0, 0, DateTimeKind.Utc);
        (string, string, string) At(string eventId, string type, int second)
        {
            var body = System.Text.Json.Nodes.JsonNode.Parse(Capture(type, eventId: eventId))!;
            body["event"]!["occurred_at"] = start.AddSeconds(second).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
            return (eventId, type, body.ToJsonString());
        }
        var processing = _db.Get<WebhookProcessingService>();
        // triggered, then resolved; the acknowledgement PagerDuty sent between them arrives (or commits) after both
        await StoreAsync(At("E1", "incident.triggered", 0), At("E3", "incident.resolved", 5));
        Assert.Equal(2, await processing.ProcessBatchAsync(16, default));
        await StoreAsync(At("E2", "incident.acknowledged", 2));
        Assert.Equal(1, await processing.ProcessBatchAsync(16, default));

        await using var db = await _db.ContextAsync();
        var late = await db.WebhookEvents.AsNoTracking().SingleAsync(e => e.EventId == "E2");
        Assert.Equal((WebhookEventStates.Superseded, "Superseded by incident.resolved (E3)"), (late.State, late.Error));
        Assert.Equal(start.AddSeconds(2), late.OccurredUtc);
        // the case and the link stay resolved: the Mirror rule did not set the older status over the newer
        var link = Assert.Single(await _db.Get<IncidentLinks>().ForIncidentAsync(Incident));
        Assert.Equal("resolved", link.Status);
        Assert.Equal("resolved", (await _db.Get<RecordStore>().GetAsync("Case", link.RecordId)).Fields["Status"]!.GetValue<string>());
        // and the log says why
        await _db.Get<Portal.Core.Logging.IntegrationLog>().FlushAsync();
        var entry = await db.LogEntries.AsNoTracking().Where(l => l.Category == Portal.Core.Logging.LogCategories.Webhook && l.Message.Contains("came after"))
            .SingleAsync();
        Assert.Equal(Portal.Core.Logging.LogLevel.Warning, entry.Level);
        Assert.Equal("incident.acknowledged on incident 37 (occurred 2026-03-02 10:00:02.000 UTC) came after incident.resolved (occurred 2026-03-02 10:00:05.000 UTC) "
            + "was processed: its older incident state was not applied and no rule ran", entry.Message);
    }

    [Fact]
    public async Task TwoProcessorsDrainingInterleavedIncidentsProcessEachEventOnceInOrderPerIncident()
    {
        var incidents = Enumerable.Range(0, 12).Select(i => $"QMANY{i:000000000}").ToList();
        string[] types = ["incident.triggered", "incident.acknowledged", "incident.resolved"];
        // interleaved: every incident's trigger, then every acknowledgement, then every resolve
        await StoreAsync(types.SelectMany(type => incidents.Select(incident =>
            ($"{incident}-{type}", type, Capture(type, eventId: $"{incident}-{type}", incidentId: incident), incident))).ToArray());
        var processing = _db.Get<WebhookProcessingService>();

        async Task<int> DrainAsync()
        {
            var total = 0;
            for (int taken; (taken = await processing.ProcessBatchAsync(4, default)) > 0;) total += taken;
            return total;
        }
        var taken = await Task.WhenAll(DrainAsync(), DrainAsync());

        Assert.Equal(36, taken.Sum()); // each event taken by exactly one of the two
        await using var db = await _db.ContextAsync();
        Assert.All(await db.WebhookEvents.AsNoTracking().ToListAsync(), e => Assert.Equal("processed", e.State));
        foreach (var incident in incidents)
        {
            // one case per incident, and the resolve applied last
            var link = Assert.Single(await _db.Get<IncidentLinks>().ForIncidentAsync(incident));
            Assert.Equal("resolved", link.Status);
            Assert.Equal("resolved", (await _db.Get<RecordStore>().GetAsync("Case", link.RecordId)).Fields["Status"]!.GetValue<string>());
        }
        Assert.Equal(12, await db.Records.AsNoTracking().CountAsync());
    }
}

[Collection(PostgresCollection.Name)]
public sealed class WebhookBatchProcessingOnPostgresTests(PostgresCluster cluster) : WebhookBatchProcessingTests
{
    protected override async Task<string?> PostgresAsync() => await cluster.CreateDatabaseAsync();
}
