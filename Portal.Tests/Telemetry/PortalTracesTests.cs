using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Dispatch;
using Portal.Core.Logging;
using Portal.Core.Records;
using Portal.Core.Rulesets;
using Portal.Core.Telemetry;
using Portal.Core.Webhooks;
using Portal.Tests.Infrastructure;
using Portal.Tests.PagerDuty;
using Portal.Tests.Rulesets;
using Portal.Tests.Webhooks;

namespace Portal.Tests.Telemetry;

/// One event followed through Portal's spans by the correlation id its log entries carry: a webhook event's
/// processing and the rules it ran; a record change's rules, the action they planned, and that action's request to
/// PagerDuty (HttpClient's span, a child of the action's).
public sealed class PortalTracesTests : IAsyncLifetime, IDisposable
{
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;
    private FakePagerDutyServer _pagerDuty = default!;
    private TestDatabase _db = default!;

    public PortalTracesTests()
    {
        // process-wide: the spans of tests running beside this one arrive too, and are told apart by correlation id
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is PortalActivities.SourceName or "System.Net.Http",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public async Task InitializeAsync()
    {
        _pagerDuty = await FakePagerDutyServer.StartAsync();
        _db = await TestDatabase.WithPagerDutyAsync(_pagerDuty.PortalSettings());
        await _db.Get<RulesetStore>().SaveAsync(RulesWiringTests.ContractExample, "admin");
    }

    public async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        await _pagerDuty.DisposeAsync();
    }

    public void Dispose() => _listener.Dispose();

    private List<Activity> Tagged(Guid correlation) =>
        _stopped.Where(a => a.GetTagItem(PortalActivities.CorrelationTag) as string == correlation.ToString()).ToList();

    [Fact]
    public async Task FollowsARecordChangeThroughItsRulesAndActionToThePagerDutyRequest()
    {
        var record = await _db.Get<RecordStore>().CreateAsync("Case", JsonDocument.Parse("""{"Subject":"Checkout down","Priority":"High"}""").RootElement,
            new ChangeActor("agent@portal.test"));
        await _db.Get<ActionDispatcher>().RunDueAsync();
        PlannedActionEntity planned;
        await using (var db = await _db.ContextAsync()) planned = await db.PlannedActions.AsNoTracking().SingleAsync();
        Assert.Equal(PlannedActionStates.Succeeded, planned.State);

        var spans = Tagged(planned.CorrelationId);
        var rules = Assert.Single(spans, s => s.OperationName == "rules.evaluate");
        Assert.Equal(record.Id, rules.GetTagItem("portal.record.id"));
        Assert.Equal(1, rules.GetTagItem("portal.rules.matched"));
        var action = Assert.Single(spans, s => s.OperationName == "dispatch.action");
        Assert.Equal("createIncident", action.GetTagItem("portal.action.type"));
        Assert.Equal(nameof(ActionOutcome.Succeeded), action.GetTagItem("portal.action.outcome"));
        // one trace: the action, run later by the dispatcher, continues the rules span that planned it
        Assert.Equal(rules.TraceId, action.TraceId);
        Assert.Equal(rules.SpanId, action.ParentSpanId);
        var request = Assert.Single(_stopped, a => a.Source.Name == "System.Net.Http" && a.ParentSpanId == action.SpanId);
        Assert.Equal(action.TraceId, request.TraceId);
        Assert.Equal(ActivityKind.Client, request.Kind);
    }

    [Fact]
    public async Task FollowsAWebhookEventIntoTheRulesItRan()
    {
        // an event id of this test's own, so that its correlation id is too
        var eventId = "TRACE" + Guid.NewGuid().ToString("N")[..20].ToUpperInvariant();
        var body = Encoding.UTF8.GetString(WebhookIntakeTests.Capture("incident.triggered")).Replace("01FKZSRAPTMF55RE69G8BQHGC6", eventId, StringComparison.Ordinal);
        await using (var db = await _db.ContextAsync())
        {
            db.WebhookEvents.Add(new WebhookEventEntity { EventId = eventId, EventType = "incident.triggered", Body = body, ReceivedUtc = _db.Clock.GetUtcNow().UtcDateTime });
            await db.SaveChangesAsync();
        }
        Assert.Equal(1, await _db.DrainEventsAsync());

        var spans = Tagged(Correlation.ForEvent(eventId));
        var processing = Assert.Single(spans, s => s.OperationName == "webhook.process");
        Assert.Equal("incident.triggered", processing.GetTagItem("portal.webhook.event_type"));
        Assert.Equal(ActivityStatusCode.Unset, processing.Status);
        var rules = Assert.Single(spans, s => s.OperationName == "rules.evaluate");
        Assert.Equal(processing.SpanId, rules.ParentSpanId);
        Assert.Equal(PortalMetrics.PagerDutyTrigger, rules.GetTagItem("portal.rules.trigger"));
    }
}
