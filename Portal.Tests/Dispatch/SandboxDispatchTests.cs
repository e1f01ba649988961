using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Dispatch;
using Portal.Core.Links;
using Portal.Core.PagerDuty;
using Portal.Core.Records;
using Portal.Core.Rulesets;
using Portal.Core.Sandbox;
using Portal.Tests.Infrastructure;
using Portal.Tests.Rulesets;

namespace Portal.Tests.Dispatch;

/// The whole loop on the sandbox account: a record change, the rule, the planned action, the dispatcher, the
/// sandbox's incident event, and back into Portal.
public class SandboxDispatchTests : OnEitherDatabase, IAsyncLifetime
{
    private TestDatabase _db = default!;
    private static readonly ChangeActor Agent = new("agent@portal.test");

    public async Task InitializeAsync() => _db = await TestDatabase.WithPagerDutyAsync(postgres: await PostgresAsync());
    public async Task DisposeAsync() => await _db.DisposeAsync();

    private RecordStore Records => _db.Get<RecordStore>();
    private ActionDispatcher Dispatcher => _db.Get<ActionDispatcher>();
    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement;

    private async Task<List<PlannedActionEntity>> PlannedAsync()
    {
        await using var db = await _db.ContextAsync();
        return await db.PlannedActions.AsNoTracking().OrderBy(a => a.CreatedUtc).ToListAsync();
    }

    private async Task<List<SandboxIncidentEntity>> SandboxIncidentsAsync()
    {
        await using var db = await _db.ContextAsync();
        return await db.SandboxIncidents.AsNoTracking().ToListAsync();
    }

    internal static string Rules(params string[] rules) => $$"""
        {"schemaVersion":1,"rulesets":[{"name":"Main","enabled":true,"rules":[{{string.Join(",", rules)}}]}]}
        """;

    [Fact]
    public async Task CreatesASandboxIncidentForAHighPriorityCaseAndLinksIt()
    {
        await _db.Get<RulesetStore>().SaveAsync(RulesWiringTests.ContractExample, "admin");
        var created = await Records.CreateAsync("Case", Json("""{"Subject":"Checkout down","Priority":"High"}"""), Agent);

        Assert.Equal(1, await Dispatcher.RunDueAsync());
        var planned = Assert.Single(await PlannedAsync());
        Assert.Equal(PlannedActionStates.Succeeded, planned.State);

        var incident = Assert.Single(await SandboxIncidentsAsync());
        Assert.Equal("Case 00000001 Checkout down", incident.Title);
        Assert.Equal($"portal:Case:{created.Id}", incident.IncidentKey);
        var link = Assert.Single((await Records.GetAsync("Case", created.Id)).Incidents);
        Assert.Equal((incident.Id, 1L, "triggered", "high", "PNE3JZM", "Checkout"),
            (link.IncidentId, link.Number!.Value, link.Status, link.Urgency, link.ServiceId, link.ServiceName));
        Assert.Equal(planned.IncidentId, incident.Id);
    }

    /// Issue 19, item 3: each incident ends with one case and each case with one incident, whichever side started.
    [Fact]
    public async Task ACaseMadeForAnIncidentGetsNoSecondIncidentAndAnIncidentMadeForACaseNoSecondCase()
    {
        await _db.Get<RulesetStore>().SaveAsync(Rules(RulesWiringTests.CaseForIncidentAndPageForCase), "admin");

        // a responder triggers an incident: its webhook makes the case, already linked when the case's own rules run
        var incident = await _db.Get<SandboxPagerDuty>().CreateIncidentAsync(new PdCreateIncident("Checkout 502s", "PNE3JZM"), "sam@sandbox.portal.invalid", default);
        await _db.DrainEventsAsync();
        var made = Assert.Single((await Records.ListAsync("Case", new RecordQuery())).Records);
        Assert.Equal(incident.Id, Assert.Single(made.Incidents).IncidentId);
        Assert.DoesNotContain(await PlannedAsync(), a => a.ActionType == Portal.Core.Rules.RuleActionTypes.CreateIncident);

        // an agent's high-priority case: rule B pages, and the incident's webhook finds the case linked
        var agents = await Records.CreateAsync("Case", Json("""{"Subject":"Refunds fail","Priority":"High"}"""), Agent);
        Assert.Equal(1, await Dispatcher.RunDueAsync());
        await _db.DrainEventsAsync();
        Assert.Equal(0, await Dispatcher.RunDueAsync());

        Assert.Equal(2, (await SandboxIncidentsAsync()).Count);
        var cases = (await Records.ListAsync("Case", new RecordQuery())).Records;
        Assert.Equal([agents.Id, made.Id], cases.Select(c => c.Id));
        Assert.All(cases, c => Assert.Single(c.Incidents));
    }

    [Fact]
    public async Task CreatesTheIncidentOnceWhenTheProcessDiedMidCall()
    {
        await _db.Get<RulesetStore>().SaveAsync(RulesWiringTests.ContractExample, "admin");
        var created = await Records.CreateAsync("Case", Json("""{"Subject":"Checkout down","Priority":"High"}"""), Agent);
        var planned = Assert.Single(await PlannedAsync());

        // the call reached PagerDuty, then the process died before it stored the outcome: the row is still in flight
        await _db.Get<SandboxPagerDuty>().CreateIncidentAsync(new Core.PagerDuty.PdCreateIncident("Case 00000001 Checkout down", "PNE3JZM",
            IncidentKey: planned.IdempotencyKey), "portal@sandbox.portal.invalid", default);
        await using (var db = await _db.ContextAsync())
            await db.PlannedActions.ExecuteUpdateAsync(s => s.SetProperty(a => a.State, PlannedActionStates.InFlight)
                .SetProperty(a => a.LeaseUntilUtc, _db.Clock.GetUtcNow().UtcDateTime.AddMinutes(2)).SetProperty(a => a.Attempts, 1));

        Assert.Equal(0, await Dispatcher.RunDueAsync()); // still leased
        _db.Clock.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(1, await Dispatcher.RunDueAsync());

        Assert.Single(await SandboxIncidentsAsync());
        Assert.Equal(PlannedActionStates.Succeeded, Assert.Single(await PlannedAsync()).State);
        Assert.Single((await Records.GetAsync("Case", created.Id)).Incidents);
    }

    [Fact]
    public async Task MirrorsTheRespondersAcknowledgementIntoTheCaseWithoutEchoingPortalsOwn()
    {
        await _db.Get<RulesetStore>().SaveAsync(Rules(
            """
            {"name":"Page","object":"Case","runOn":"recordCreateOrUpdate","when":"all","conditions":[{"field":"Priority","operator":"equals","value":"High"}],
             "executeFor":"newOnly","actions":[{"type":"createIncident","serviceId":"PSBXPAY"}]}
            """,
            """
            {"name":"Ack when working","object":"Case","runOn":"recordCreateOrUpdate","when":"all","conditions":[{"field":"Status","operator":"changedTo","value":"Working"}],
             "executeFor":"allLinked","actions":[{"type":"acknowledgeIncident"}]}
            """,
            """
            {"name":"Mirror status","object":"Case","runOn":"pagerDutyIncidentCreateOrUpdate","when":"any",
             "conditions":[{"field":"pd.eventType","operator":"in","value":["acknowledge","resolve"]}],"executeFor":"allLinked",
             "actions":[{"type":"setField","field":"Status","value":"PagerDuty: {{pd.incidentStatus}}"}]}
            """), "admin");
        var created = await Records.CreateAsync("Case", Json("""{"Subject":"Payments failing","Priority":"High","Status":"New"}"""), Agent);
        await Dispatcher.RunDueAsync();
        Assert.Equal(1, await _db.DrainEventsAsync()); // incident.triggered
        var incidentId = Assert.Single((await Records.GetAsync("Case", created.Id)).Incidents).IncidentId;

        // the responder resolves it in PagerDuty: the rule mirrors it into the case
        await _db.Get<SandboxPagerDuty>().UpdateIncidentAsync(incidentId, new Core.PagerDuty.PdUpdateIncident(Status: "resolved"), "sam@sandbox.portal.invalid", default);
        await _db.DrainEventsAsync();
        var record = await Records.GetAsync("Case", created.Id);
        Assert.Equal("PagerDuty: resolved", record.Fields["Status"]!.GetValue<string>());
        Assert.Equal("resolved", Assert.Single(record.Incidents).Status);
    }

    [Fact]
    public async Task PortalsOwnAcknowledgementDoesNotSetOffTheRuleThatCausedIt()
    {
        await _db.Get<RulesetStore>().SaveAsync(Rules(
            """
            {"name":"Ack when working","object":"Case","runOn":"recordCreateOrUpdate","when":"all","conditions":[{"field":"Status","operator":"changedTo","value":"Working"}],
             "executeFor":"allLinked","actions":[{"type":"acknowledgeIncident"}]}
            """,
            """
            {"name":"Note acks","object":"Case","runOn":"pagerDutyIncidentCreateOrUpdate","when":"all","conditions":[{"field":"pd.eventType","operator":"equals","value":"acknowledge"}],
             "executeFor":"allLinked","actions":[{"type":"setField","field":"Reason","value":"acknowledged in PagerDuty"}]}
            """), "admin");
        var created = await Records.CreateAsync("Case", Json("""{"Subject":"Slow","Status":"New"}"""), Agent);
        var incident = await _db.Get<SandboxPagerDuty>().CreateIncidentAsync(new Core.PagerDuty.PdCreateIncident("Slow", "PSBXAPI"), "sam@sandbox.portal.invalid", default);
        await _db.Get<IncidentLinks>().LinkAsync(created.Id, new IncidentState(incident.Id, incident.Number, incident.Title, incident.Status), "agent");
        await _db.DrainEventsAsync();

        await Records.UpdateAsync("Case", created.Id, Json("""{"Status":"Working"}"""), Agent);
        await Dispatcher.RunDueAsync();
        await _db.DrainEventsAsync();

        var record = await Records.GetAsync("Case", created.Id);
        Assert.Equal("acknowledged", Assert.Single(record.Incidents).Status);
        // the echo carried the chain [Main/Ack when working]; "Note acks" is a different rule, so it still ran
        Assert.Equal("acknowledged in PagerDuty", record.Fields["Reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task SendsACommentAsANoteAndBringsTheRespondersNoteBackOnce()
    {
        var created = await Records.CreateAsync("Case", Json("""{"Subject":"Talk to PagerDuty"}"""), Agent);
        var incident = await _db.Get<SandboxPagerDuty>().CreateIncidentAsync(new Core.PagerDuty.PdCreateIncident("Talk", "PSBXAPI"), "sam@sandbox.portal.invalid", default);
        await _db.Get<IncidentLinks>().LinkAsync(created.Id, new IncidentState(incident.Id, incident.Number), "agent");
        await _db.DrainEventsAsync();

        await Records.AddCommentAsync("Case", created.Id, "Customer says it is back", Agent);
        await Dispatcher.RunDueAsync();
        await _db.DrainEventsAsync();
        var notes = await _db.Get<SandboxPagerDuty>().ListNotesAsync(incident.Id, default);
        Assert.Equal("agent@portal.test: Customer says it is back", Assert.Single(notes).Content);
        Assert.Single(await Records.ListCommentsAsync("Case", created.Id)); // no echo

        await _db.Get<SandboxPagerDuty>().AddNoteAsync(incident.Id, "Root cause: expired certificate", "sam@sandbox.portal.invalid", default);
        await _db.DrainEventsAsync();
        var comments = await Records.ListCommentsAsync("Case", created.Id);
        Assert.Equal(2, comments.Count);
        var imported = comments.Single(c => c.Source == CommentSources.PagerDuty);
        Assert.Equal("Root cause: expired certificate", imported.Body);
        Assert.Single(await _db.Get<SandboxPagerDuty>().ListNotesAsync(incident.Id, default), n => n.Content == "Root cause: expired certificate");
        Assert.DoesNotContain(await PlannedAsync(), a => a.PayloadJson.Contains("Root cause"));
    }

    [Fact]
    public async Task DeadLettersARefusalWithPagerDutysWords()
    {
        await _db.Get<RulesetStore>().SaveAsync(RulesWiringTests.ContractExample.Replace("PNE3JZM", "PNOPE00"), "admin");
        await Records.CreateAsync("Case", Json("""{"Subject":"Down","Priority":"High"}"""), Agent);
        await Dispatcher.RunDueAsync();
        var planned = Assert.Single(await PlannedAsync());
        Assert.Equal(PlannedActionStates.DeadLettered, planned.State);
        Assert.Contains("Service PNOPE00 not found.", planned.LastError);
        Assert.Equal(1, planned.Attempts);
        Assert.Empty(await SandboxIncidentsAsync());
    }
}

public class DeadLetterTests : OnEitherDatabase, IAsyncLifetime
{
    private TestDatabase _db = default!;

    public async Task InitializeAsync() => _db = await TestDatabase.WithPagerDutyAsync(postgres: await PostgresAsync());
    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task RetriesADeadLetterOnceTheCauseIsFixedAndDiscardsAnother()
    {
        await _db.Get<RulesetStore>().SaveAsync(RulesWiringTests.ContractExample.Replace("PNE3JZM", "PNOPE00"), "admin");
        await _db.Get<RecordStore>().CreateAsync("Case", JsonDocument.Parse("""{"Subject":"A","Priority":"High"}""").RootElement, new ChangeActor("agent"));
        await _db.Get<RecordStore>().CreateAsync("Case", JsonDocument.Parse("""{"Subject":"B","Priority":"High"}""").RootElement, new ChangeActor("agent"));
        await _db.Get<ActionDispatcher>().RunDueAsync();
        var queries = _db.Get<PlannedActionQueries>();
        var dead = await queries.DeadLettersAsync();
        Assert.Equal(2, dead.Count);

        // the cause is fixed on PagerDuty's side: here, the action is pointed at a service that exists
        await using (var db = await _db.ContextAsync())
            await db.PlannedActions.Where(a => a.Id == dead[0].Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.PayloadJson, a => a.PayloadJson.Replace("PNOPE00", "PNE3JZM")));
        Assert.True(await queries.RetryAsync(dead[0].Id, "ops@portal.test"));
        Assert.True(await queries.DiscardAsync(dead[1].Id, "ops@portal.test"));
        Assert.False(await queries.DiscardAsync(dead[1].Id, "ops@portal.test"));
        await _db.Get<ActionDispatcher>().RunDueAsync();

        Assert.Empty(await queries.DeadLettersAsync());
        await using var check = await _db.ContextAsync();
        Assert.Equal(PlannedActionStates.Succeeded, (await check.PlannedActions.SingleAsync(a => a.Id == dead[0].Id)).State);
        Assert.Equal(PlannedActionStates.Discarded, (await check.PlannedActions.SingleAsync(a => a.Id == dead[1].Id)).State);
        await _db.Get<Portal.Core.Logging.IntegrationLog>().FlushAsync();
        var logged = (await _db.Get<Portal.Core.Logging.IntegrationLog>().QueryAsync(new Portal.Core.Logging.LogQuery(Text: "ops@portal.test"))).Entries;
        Assert.Equal(2, logged.Count);
    }
}

public class LinkExistingIncidentTests : OnEitherDatabase, IAsyncLifetime
{
    private TestDatabase _db = default!;

    public async Task InitializeAsync() => _db = await TestDatabase.WithPagerDutyAsync(postgres: await PostgresAsync());
    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task LinksAnIncidentByIdOrUrlToEveryAffectedCase()
    {
        var incident = await _db.Get<SandboxPagerDuty>().CreateIncidentAsync(new Core.PagerDuty.PdCreateIncident("Checkout outage", "PNE3JZM"),
            "sam@sandbox.portal.invalid", default);
        var first = await _db.Get<RecordStore>().CreateAsync("Case", JsonDocument.Parse("""{"Subject":"Customer A"}""").RootElement, new ChangeActor("agent"));
        var second = await _db.Get<RecordStore>().CreateAsync("Case", JsonDocument.Parse("""{"Subject":"Customer B"}""").RootElement, new ChangeActor("agent"));
        var console = _db.Get<ConsoleActions>();

        await console.LinkExistingAsync("Case", first.Id, incident.Id, "agent");
        await console.LinkExistingAsync("Case", second.Id, incident.HtmlUrl, "agent");
        Assert.Equal(2, (await _db.Get<IncidentLinks>().ForIncidentAsync(incident.Id)).Count);
        Assert.Equal("Checkout outage", Assert.Single((await _db.Get<RecordStore>().GetAsync("Case", second.Id)).Incidents).Title);

        var missing = await Assert.ThrowsAsync<Core.PortalValidationException>(() => console.LinkExistingAsync("Case", first.Id, "QNOSUCHINCIDENT", "agent"));
        Assert.Equal("PagerDuty has no incident QNOSUCHINCIDENT.", missing.Message);
        await Assert.ThrowsAsync<Core.PortalValidationException>(() => console.LinkExistingAsync("Case", first.Id, "not an id!", "agent"));
    }
}

[Collection(PostgresCollection.Name)]
public sealed class SandboxDispatchOnPostgresTests(PostgresCluster cluster) : SandboxDispatchTests
{
    protected override async Task<string?> PostgresAsync() => await cluster.CreateDatabaseAsync();
}

[Collection(PostgresCollection.Name)]
public sealed class DeadLetterOnPostgresTests(PostgresCluster cluster) : DeadLetterTests
{
    protected override async Task<string?> PostgresAsync() => await cluster.CreateDatabaseAsync();
}

[Collection(PostgresCollection.Name)]
public sealed class LinkExistingIncidentOnPostgresTests(PostgresCluster cluster) : LinkExistingIncidentTests
{
    protected override async Task<string?> PostgresAsync() => await cluster.CreateDatabaseAsync();
}
