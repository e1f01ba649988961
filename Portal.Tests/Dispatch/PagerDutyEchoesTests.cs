using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Dispatch;
using Portal.Core.Records;
using Portal.Core.Rules;
using Portal.Core.Rulesets;
using Portal.Core.Webhooks;
using Portal.Tests.Infrastructure;
using Portal.Tests.PagerDuty;

namespace Portal.Tests.Dispatch;

/// PagerDuty's echo of Portal's own action is told from the stored planned actions, not from memory: only an action
/// that succeeded (or whose call is in flight) is taken for one, each action for one event, and a fresh process (a
/// new `PagerDutyEchoes`, nothing in memory) tells the same.
public class PagerDutyEchoesTests : OnEitherDatabase, IAsyncLifetime
{
    private FakePagerDutyServer _pagerDuty = default!;
    private TestDatabase _db = default!;
    private static readonly ChangeActor Agent = new("agent@portal.test");

    // "Seen" notes in the case every event it sees, and "Ack when seen" acknowledges the incident once the trigger was
    // seen: Portal's acknowledgement echoes with the chain [Main/Seen, Main/Ack when seen], so "Seen" is not set off by
    // it; a person's acknowledgement is.
    private static readonly string Rules = SandboxDispatchTests.Rules(
        """
        {"name":"Page","object":"Case","runOn":"recordCreateOrUpdate","when":"all","conditions":[{"field":"Priority","operator":"equals","value":"High"}],
         "executeFor":"newOnly","actions":[{"type":"createIncident","serviceId":"PNE3JZM"}]}
        """,
        """
        {"name":"Seen","object":"Case","runOn":"pagerDutyIncidentCreateOrUpdate","when":"any",
         "conditions":[{"field":"pd.eventType","operator":"in","value":["trigger","acknowledge"]}],"executeFor":"allLinked",
         "actions":[{"type":"setField","field":"Reason","value":"seen {{pd.eventType}}"}]}
        """,
        """
        {"name":"Ack when seen","object":"Case","runOn":"recordCreateOrUpdate","when":"all",
         "conditions":[{"field":"Reason","operator":"changedTo","value":"seen trigger"}],"executeFor":"allLinked","actions":[{"type":"acknowledgeIncident"}]}
        """);

    public async Task InitializeAsync()
    {
        _pagerDuty = await FakePagerDutyServer.StartAsync();
        _db = await TestDatabase.WithPagerDutyAsync(_pagerDuty.PortalSettings(), postgres: await PostgresAsync());
        await _db.Get<RulesetStore>().SaveAsync(Rules, "admin");
    }

    public async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        await _pagerDuty.DisposeAsync();
    }

    private RecordStore Records => _db.Get<RecordStore>();

    /// A high-priority case, its incident created by "Page" and its trigger webhook processed ("Seen" ran on it and
    /// planned an acknowledgement, not yet sent).
    private async Task<(string RecordId, string IncidentId)> TriggeredCaseAsync()
    {
        var created = await Records.CreateAsync("Case", JsonDocument.Parse("""{"Subject":"Checkout down","Priority":"High"}""").RootElement, Agent);
        await _db.Get<ActionDispatcher>().RunDueAsync();
        var incident = Assert.Single(_pagerDuty.Incidents);
        await ProcessAsync(incident, "incident.triggered", "trigger", "triggered");
        Assert.Equal("seen trigger", await ReasonAsync(created.Id));
        return (created.Id, incident.Id);
    }

    private Task ProcessAsync(FakeIncident incident, string eventType, string shortType, string status) =>
        _db.Get<IncidentEventProcessor>().ProcessAsync(new PagerDutyWebhookEvent(Guid.NewGuid().ToString("n"), eventType, _db.Clock.GetUtcNow(),
            new PagerDutyFacts { EventType = shortType, IncidentId = incident.Id, IncidentNumber = incident.Number, IncidentStatus = status, ServiceId = incident.ServiceId },
            null, null, null, incident.IncidentKey));

    private async Task<string?> ReasonAsync(string recordId) => (await Records.GetAsync("Case", recordId)).Fields["Reason"]?.GetValue<string>();

    private async Task<PlannedActionEntity> AcknowledgementAsync()
    {
        await using var db = await _db.ContextAsync();
        return await db.PlannedActions.AsNoTracking().SingleAsync(a => a.ActionType == RuleActionTypes.AcknowledgeIncident);
    }

    [Fact]
    public async Task PortalsOwnAcknowledgementIsRecognisedFromTheRecord()
    {
        var (recordId, _) = await TriggeredCaseAsync();
        await _db.Get<ActionDispatcher>().RunDueAsync();
        Assert.Equal(PlannedActionStates.Succeeded, (await AcknowledgementAsync()).State);

        await ProcessAsync(Assert.Single(_pagerDuty.Incidents), "incident.acknowledged", "acknowledge", "acknowledged");

        // the echo carried [Main/Seen, Main/Ack when seen]: "Seen" did not run again
        Assert.Equal("seen trigger", await ReasonAsync(recordId));
        Assert.NotNull((await AcknowledgementAsync()).EchoEventId);
    }

    [Fact]
    public async Task AHumanAcknowledgementAfterAFailedPortalAcknowledgementRunsItsRules()
    {
        var (recordId, _) = await TriggeredCaseAsync();
        _pagerDuty.AnswerNext(FakeAnswer.Error(400, "Invalid Input Provided", 2001, "Incident is not in a state that can be acknowledged"));
        await _db.Get<ActionDispatcher>().RunDueAsync();
        Assert.Equal(PlannedActionStates.DeadLettered, (await AcknowledgementAsync()).State);

        // a person acknowledges it in PagerDuty: no expectation was left behind by the failed call, so "Seen" runs
        await ProcessAsync(Assert.Single(_pagerDuty.Incidents), "incident.acknowledged", "acknowledge", "acknowledged");

        Assert.Equal("seen acknowledge", await ReasonAsync(recordId));
        Assert.Null((await AcknowledgementAsync()).EchoEventId);
    }

    [Fact]
    public async Task OneActionMatchesOneEchoAndAFreshProcessTellsTheSame()
    {
        var (recordId, incidentId) = await TriggeredCaseAsync();
        await _db.Get<ActionDispatcher>().RunDueAsync();
        var incident = Assert.Single(_pagerDuty.Incidents);
        var fresh = new PagerDutyEchoes(_db.Clock);
        var acknowledged = new PagerDutyWebhookEvent("E1", "incident.acknowledged", _db.Clock.GetUtcNow(),
            new PagerDutyFacts { EventType = "acknowledge", IncidentId = incidentId }, null, null, null);

        await using (var db = await _db.ContextAsync())
        {
            // the trigger that "Seen" saw was itself the echo of "Page"'s create, so the chain starts there
            Assert.Equal(["Main/Page", "Main/Seen", "Main/Ack when seen"], await fresh.MatchAsync(db, acknowledged, default));
            // the same acknowledgement a second time (a person's, after Portal's) is no echo: the action is taken
            Assert.Null(await fresh.MatchAsync(db, acknowledged with { EventId = "E2" }, default));
        }
        Assert.Equal("E1", (await AcknowledgementAsync()).EchoEventId);

        // past the window an action is no longer expected to echo
        _db.Clock.Advance(PagerDutyEchoes.Window + TimeSpan.FromSeconds(1));
        await ProcessAsync(incident, "incident.acknowledged", "acknowledge", "acknowledged");
        Assert.Equal("seen acknowledge", await ReasonAsync(recordId));
    }

    [Fact]
    public async Task ANoteIsAnEchoOnlyWithTheSameText()
    {
        var (recordId, incidentId) = await TriggeredCaseAsync();
        await Records.AddCommentAsync("Case", recordId, "Customer confirms", Agent);
        await _db.Get<ActionDispatcher>().RunDueAsync();
        await using var db = await _db.ContextAsync();
        var note = await db.PlannedActions.AsNoTracking().SingleAsync(a => a.ActionType == RuleActionTypes.AddNote);
        var content = JsonDocument.Parse(note.PayloadJson).RootElement.GetProperty("content").GetString()!;
        PagerDutyWebhookEvent Annotated(string id, string text) => new(id, "incident.annotated", _db.Clock.GetUtcNow(),
            new PagerDutyFacts { EventType = "annotate", IncidentId = incidentId }, new WebhookNote("N" + id, text), null, null);

        var echoes = _db.Get<PagerDutyEchoes>();
        Assert.Null(await echoes.MatchAsync(db, Annotated("E1", "Someone else's note"), default));
        Assert.NotNull(await echoes.MatchAsync(db, Annotated("E2", content), default));
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PagerDutyEchoesOnPostgresTests(PostgresCluster cluster) : PagerDutyEchoesTests
{
    protected override async Task<string?> PostgresAsync() => await cluster.CreateDatabaseAsync();
}
