using System.Diagnostics.Metrics;
using System.Text.Json;
using Portal.Core.Dispatch;
using Portal.Core.Logging;
using Portal.Core.PagerDuty;
using Portal.Core.Records;
using Portal.Core.Rulesets;
using Portal.Core.Webhooks;
using Portal.Tests.Infrastructure;
using Portal.Tests.PagerDuty;
using Portal.Tests.Rulesets;

namespace Portal.Tests.Telemetry;

/// The `Portal` meter where it counts: PagerDuty's answers in the HTTP handler, the dispatcher's outcomes, and the
/// gauges read from the database at collection time, on either provider.
public class PortalMetricsTests : OnEitherDatabase, IAsyncLifetime
{
    private FakePagerDutyServer _pagerDuty = default!;
    private TestDatabase _db = default!;
    private MeterCapture _metrics = default!;

    public async Task InitializeAsync()
    {
        _pagerDuty = await FakePagerDutyServer.StartAsync();
        _db = await TestDatabase.WithPagerDutyAsync(_pagerDuty.PortalSettings(), postgres: await PostgresAsync());
        _metrics = new MeterCapture(_db.Get<IMeterFactory>());
        _ = _db.Get<Core.Telemetry.PortalMetrics>();
        await _db.Get<RulesetStore>().SaveAsync(RulesWiringTests.ContractExample, "admin");
    }

    public async Task DisposeAsync()
    {
        _metrics.Dispose();
        await _db.DisposeAsync();
        await _pagerDuty.DisposeAsync();
    }

    [Fact]
    public async Task CountsEveryPagerDutyRequestByStatusCodeAndEachActionByOutcome()
    {
        await _db.Get<RecordStore>().CreateAsync("Case", JsonDocument.Parse("""{"Subject":"Checkout down","Priority":"High"}""").RootElement,
            new ChangeActor("agent@portal.test"));
        _pagerDuty.AnswerNext(FakeAnswer.ServerError);
        await _db.Get<ActionDispatcher>().RunDueAsync();
        Assert.Equal(1, _metrics.Sum("portal.actions", ("type", "createIncident"), ("outcome", "retrying")));

        _db.Clock.Advance(TimeSpan.FromMinutes(1));
        await _db.Get<ActionDispatcher>().RunDueAsync();
        Assert.Single(_pagerDuty.Incidents);
        Assert.Equal(1, _metrics.Sum("portal.actions", ("type", "createIncident"), ("outcome", "succeeded")));
        Assert.Equal(1, _metrics.Sum("portal.pagerduty.requests", ("status_code", "500")));
        Assert.Equal(1, _metrics.Sum("portal.pagerduty.requests", ("status_code", "201")));
        // every request the fake PagerDuty saw, and no other
        Assert.Equal(_pagerDuty.Requests.Count, _metrics.Sum("portal.pagerduty.requests"));
        Assert.Equal(1, _metrics.Of("portal.rules.evaluation.duration").Count(m => Equals(m.Tags["trigger"], "record")));
    }

    [Fact]
    public async Task GaugesSayHowOldTheWaitingWorkIsAndWhatIsLeftOfTheBudget()
    {
        var now = _db.Clock.GetUtcNow().UtcDateTime;
        await using (var db = await _db.ContextAsync())
        {
            db.WebhookEvents.Add(new WebhookEventEntity { EventId = "E-OLD", EventType = "incident.triggered", Body = "{}", ReceivedUtc = now.AddSeconds(-90) });
            db.WebhookEvents.Add(new WebhookEventEntity { EventId = "E-NEW", EventType = "incident.triggered", Body = "{}", ReceivedUtc = now.AddSeconds(-5) });
            db.WebhookEvents.Add(new WebhookEventEntity { EventId = "E-DONE", EventType = "incident.triggered", Body = "{}", ReceivedUtc = now.AddHours(-1),
                State = WebhookEventStates.Processed });
            db.PlannedActions.Add(Action(PlannedActionStates.Pending, now.AddSeconds(-30)));
            db.PlannedActions.Add(Action(PlannedActionStates.Pending, now.AddMinutes(5))); // waiting for a retry, not due
            db.PlannedActions.Add(Action(PlannedActionStates.InFlight, now.AddSeconds(-300)));
            db.PlannedActions.Add(Action(PlannedActionStates.DeadLettered, now.AddHours(-1)));
            await db.SaveChangesAsync();
        }
        await _db.Get<RequestBudget>().TakeAsync(RequestCallers.Dispatcher, 5);

        Assert.Equal(90, Assert.Single(_metrics.Observe("portal.webhooks.lag")).Value);
        var depth = _metrics.Observe("portal.outbox.depth");
        Assert.Equal([("pending", 2.0), ("inFlight", 1.0)], depth.Select(m => ((string)m.Tags["state"]!, m.Value)));
        Assert.Equal(30, Assert.Single(_metrics.Observe("portal.outbox.oldest_due_age")).Value);
        Assert.Equal([("dispatch", 715.0), ("dashboard", 120.0), ("interactive", 120.0)], Budget());

        // a 429 pauses every caller; a grant that left the window no longer counts
        await _db.Get<RequestBudget>().RecordRateLimitAsync(TimeSpan.FromSeconds(20));
        Assert.All(Budget(), b => Assert.Equal(0, b.Left));
        _db.Clock.Advance(RequestBudget.Hold + TimeSpan.FromSeconds(1));
        Assert.Equal([("dispatch", 720.0), ("dashboard", 120.0), ("interactive", 120.0)], Budget());
        Assert.Equal(153, Assert.Single(_metrics.Observe("portal.webhooks.lag")).Value);
    }

    [Fact]
    public async Task GaugesReadZeroWhenNothingWaits()
    {
        Assert.Equal(0, Assert.Single(_metrics.Observe("portal.webhooks.lag")).Value);
        Assert.Equal(0, Assert.Single(_metrics.Observe("portal.outbox.oldest_due_age")).Value);
        Assert.All(_metrics.Observe("portal.outbox.depth"), m => Assert.Equal(0, m.Value));
        await _db.Get<IntegrationLog>().PurgeAsync();
        Assert.Equal(1, _metrics.Sum("portal.log.purges", ("outcome", "succeeded")));
    }

    [Fact]
    public void DocumentsEveryInstrumentUnderTheNamePrometheusShows()
    {
        // the exporter's rule: dots become underscores, the unit "s" adds _seconds, a counter adds _total
        var names = _metrics.Instruments.ToDictionary(i => i.Name, i => i.Name.Replace('.', '_') + (i.Unit == "s" ? "_seconds" : "")
            + (i.GetType().IsGenericType && i.GetType().GetGenericTypeDefinition() == typeof(Counter<>) ? "_total" : ""));
        Assert.Equal(12, names.Count);

        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        Assert.All(names, n => Assert.Contains($"| `{n.Key}` | `{n.Value}", readme));
        var dashboard = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "grafana-portal.json"));
        var charted = System.Text.RegularExpressions.Regex.Matches(dashboard, "portal_[a-z_]+").Select(m => m.Value)
            .Select(n => System.Text.RegularExpressions.Regex.Replace(n, "_(bucket|count|sum)$", "")).ToHashSet();
        Assert.Equal(names.Values.Order(), charted.Order());
        using var json = JsonDocument.Parse(dashboard);
        Assert.Equal("Portal", json.RootElement.GetProperty("title").GetString());
    }

    private List<(string Caller, double Left)> Budget() =>
        _metrics.Observe("portal.pagerduty.budget.remaining").Select(m => ((string)m.Tags["caller"]!, m.Value)).ToList();

    private PlannedActionEntity Action(string state, DateTime nextAttempt) => new()
    {
        Id = Guid.CreateVersion7(), CreatedUtc = nextAttempt, NextAttemptUtc = nextAttempt, ActionType = "addNote", PayloadJson = "{}",
        RequestedBy = "rule", State = state, IncidentId = "PINCIDENT",
    };
}

[Collection(PostgresCollection.Name)]
public sealed class PortalMetricsOnPostgresTests(PostgresCluster cluster) : PortalMetricsTests
{
    protected override async Task<string?> PostgresAsync() => await cluster.CreateDatabaseAsync();
}
