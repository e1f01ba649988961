using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Core.Dispatch;
using Portal.Core.Links;
using Portal.Core.PagerDuty;
using Portal.Core.Records;
using Portal.Core.StatusDashboard;
using Portal.Core.Webhooks;
using Portal.Tests.Infrastructure;
using Portal.Tests.PagerDuty;

namespace Portal.Tests.StatusDashboard;

/// The dashboard against the strict fake PagerDuty: what it shows, how often it reads PagerDuty, and what it says when
/// PagerDuty refuses.
public sealed class BusinessImpactsTests : IAsyncLifetime
{
    private FakePagerDutyServer _pagerDuty = default!;
    private TestDatabase _db = default!;
    private FakeIncident _incident = default!;

    public Task InitializeAsync() => StartAsync();

    private async Task StartAsync(int requestsPerMinute = 120)
    {
        _pagerDuty = await FakePagerDutyServer.StartAsync();
        _db = await TestDatabase.WithPagerDutyAsync(new Dictionary<string, string?>
        {
            ["PagerDuty:ApiKey"] = FakePagerDutyServer.DefaultApiKey,
            ["PagerDuty:BaseUrl"] = _pagerDuty.BaseUrl.ToString(),
            ["PagerDuty:FromEmail"] = FakePagerDutyServer.IntegrationEmail,
            ["StatusDashboard:RequestsPerMinute"] = requestsPerMinute.ToString(),
        });
        _pagerDuty.BusinessServices.AddRange([
            new("PBS0001", "Billing"), new("PBS0002", "Online store", Impacted: true, HighestImpactingPriorityId: "P1"), new("PBS0003", "Accounts")]);
        _incident = _pagerDuty.SeedIncident("Card payments fail", "PWIXJZS");
        _incident.PriorityId = "P1";
        _pagerDuty.IncidentImpacts[_incident.Id] = ["PBS0002"];
    }

    public async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        await _pagerDuty.DisposeAsync();
    }

    private BusinessImpacts Impacts => _db.Get<BusinessImpacts>();

    private async Task<string> CaseLinkedToTheIncidentAsync()
    {
        var record = await _db.Get<RecordStore>().CreateAsync("Case", JsonDocument.Parse("""{"Subject":"Cannot pay"}""").RootElement, ChangeActor.System);
        await _db.Get<IncidentLinks>().LinkAsync(record.Id, new IncidentState(_incident.Id, _incident.Number, _incident.Title), "test");
        return record.Id;
    }

    [Fact]
    public async Task ShowsTheImpactedServiceFirstWithItsIncidentAndLatestStatusUpdate()
    {
        var caseId = await CaseLinkedToTheIncidentAsync();
        await _db.Get<ConsoleActions>().ActAsync("Case", caseId, _incident.Id, "addStatusUpdate",
            new JsonObject { ["message"] = "A fix is being deployed." }, "agent@portal.test");
        Assert.Equal(1, await _db.Get<ActionDispatcher>().RunDueAsync());

        var view = await Impacts.GetAsync();

        Assert.Null(view.Error);
        Assert.Equal(PagerDutyMode.Live, view.Mode);
        Assert.Equal(["Online store", "Accounts", "Billing"], view.Services.Select(s => s.Name));
        var store = view.Services[0];
        Assert.Equal((true, "P1"), (store.Impacted, store.HighestPriority));
        var incident = Assert.Single(store.Incidents);
        Assert.Equal((_incident.Id, _incident.Number, "Card payments fail", "triggered", "P1"),
            (incident.Id, incident.Number, incident.Title, incident.Status, incident.Priority));
        Assert.Equal(("A fix is being deployed.", StatusUpdateSources.Portal, "agent@portal.test"),
            (incident.LatestUpdate!.Message, incident.LatestUpdate.Source, incident.LatestUpdate.Author));
        Assert.All(view.Services.Skip(1), s => Assert.Equal((false, 0), (s.Impacted, s.Incidents.Count)));
        Assert.Equal(1, view.ImpactedCount);
    }

    [Fact]
    public async Task ServesEveryPageFromOneReadWithinTheMinute()
    {
        await Impacts.GetAsync();
        var calls = _pagerDuty.Requests.Count;
        Assert.Equal(3, calls); // impacts, open incidents, the one incident's impacts

        await Impacts.GetAsync();
        _db.Clock.Advance(TimeSpan.FromSeconds(59));
        await Impacts.GetAsync();
        Assert.Equal(calls, _pagerDuty.Requests.Count);

        _db.Clock.Advance(TimeSpan.FromSeconds(2));
        await Impacts.GetAsync();
        // the incident's impacts are known already: only the two lists are read again
        Assert.Equal(calls + 2, _pagerDuty.Requests.Count);
    }

    [Fact]
    public async Task ReadsAgainOnDemandButNotMoreOftenThanTheInterval()
    {
        await Impacts.GetAsync();
        var calls = _pagerDuty.Requests.Count;
        await Impacts.GetAsync(refresh: true);
        Assert.Equal(calls, _pagerDuty.Requests.Count);

        _db.Clock.Advance(TimeSpan.FromSeconds(5));
        await Impacts.GetAsync(refresh: true);
        Assert.Equal(calls + 2, _pagerDuty.Requests.Count);
    }

    [Fact]
    public async Task AnIncidentEventMakesTheNextReadSoonerAndForgetsThatIncidentsImpacts()
    {
        await Impacts.GetAsync();
        var changed = 0;
        using var _ = _db.Get<Core.Notifications.ChangeNotifier>().Subscribe<Core.Notifications.BusinessImpactsChanged>(_ => changed++);
        _pagerDuty.IncidentImpacts[_incident.Id] = ["PBS0002", "PBS0001"];
        _pagerDuty.BusinessServices[0] = _pagerDuty.BusinessServices[0] with { Impacted = true };
        await _db.Get<IncidentEventProcessor>().ProcessAsync(new PagerDutyWebhookEvent("01EVENT", "incident.priority_updated", _db.Clock.GetUtcNow(),
            new Core.Rules.PagerDutyFacts { EventType = "priorityUpdate", IncidentId = _incident.Id }, null, null, null));
        Assert.Equal(1, changed);

        _db.Clock.Advance(TimeSpan.FromSeconds(5));
        var view = await Impacts.GetAsync();

        Assert.Equal(["Billing", "Online store"], view.Services.Where(s => s.Impacted).Select(s => s.Name).Order());
        Assert.All(view.Services.Where(s => s.Impacted), s => Assert.Equal(_incident.Id, Assert.Single(s.Incidents).Id));
        Assert.Equal(2, _pagerDuty.Requests.Count(r => r.Path.EndsWith("/business_services/impacts") && r.Path.StartsWith("/incidents/")));
    }

    [Fact]
    public async Task ShowsPagerDutysRefusalInPlainWordsWithoutThrowing()
    {
        _pagerDuty.AnswerNext(FakeAnswer.Error(403, "Access Denied", 2010, "This API key may not read business services"));

        var view = await Impacts.GetAsync();

        Assert.Equal("PagerDuty refused the request (403): Access Denied: This API key may not read business services", view.Error);
        Assert.Empty(view.Services);
    }

    [Fact]
    public async Task KeepsShowingTheLastReadWhenPagerDutyFailsLater()
    {
        await Impacts.GetAsync();
        _db.Clock.Advance(TimeSpan.FromSeconds(61));
        _pagerDuty.AnswerNext(FakeAnswer.ServerError);

        var view = await Impacts.GetAsync();

        Assert.Equal("PagerDuty answered 500: Internal Server Error", view.Error);
        Assert.Equal("Showing the last good read, at 10:00:00 UTC.", view.Notice);
        Assert.Equal("Online store", view.Services[0].Name);
        Assert.Single(view.Services[0].Incidents);
    }

    [Fact]
    public async Task ListsEveryBusinessServiceBeyondPagerDutysImpactsLimit()
    {
        _pagerDuty.ImpactsLimit = 200;
        _pagerDuty.BusinessServices.AddRange(Enumerable.Range(1, 997).Select(i => new FakeBusinessService($"PBX{i:D4}", $"Zone {i:D4}")));

        var view = await Impacts.GetAsync();

        Assert.Equal(1000, view.Services.Count);
        Assert.Equal("Online store", view.Services[0].Name);
        Assert.Equal(999, view.Services.Count(s => !s.Impacted));
        // the list had not-impacted services in it: the others are not impacted, no need to ask for them by id
        Assert.DoesNotContain(_pagerDuty.Requests, r => r.Query.Contains("ids"));
        Assert.Equal(10, _pagerDuty.Requests.Count(r => r.Path == "/business_services"));
    }

    [Fact]
    public async Task ARateLimitTheDashboardMetPausesItAndTheDispatcherUntilTheReset()
    {
        var caseId = await CaseLinkedToTheIncidentAsync();
        var start = _db.Clock.GetUtcNow().UtcDateTime;
        _pagerDuty.AnswerNext(FakeAnswer.RateLimited(20));
        Assert.StartsWith("PagerDuty answered 429", (await Impacts.GetAsync()).Error);
        Assert.Equal(start.AddSeconds(20), await _db.Get<RequestBudget>().PausedUntilAsync());
        var sent = _pagerDuty.Requests.Count;

        // the dispatcher sends nothing until the reset, and the wait costs the action no attempt
        _db.Clock.Advance(TimeSpan.FromSeconds(6));
        await _db.Get<ConsoleActions>().ActAsync("Case", caseId, _incident.Id, "acknowledgeIncident", [], "agent@portal.test");
        await _db.Get<ActionDispatcher>().RunDueAsync();
        await using (var db = await _db.ContextAsync())
        {
            var action = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(db.PlannedActions);
            Assert.Equal((PlannedActionStates.Pending, start.AddSeconds(20), 0), (action.State, action.NextAttemptUtc, action.Attempts));
        }
        // nor does the dashboard read
        Assert.Contains("PagerDuty asked Portal to slow down (429)", (await Impacts.GetAsync(refresh: true)).Notice);
        Assert.Equal(sent, _pagerDuty.Requests.Count);

        _db.Clock.Advance(TimeSpan.FromSeconds(14));
        Assert.Equal(1, await _db.Get<ActionDispatcher>().RunDueAsync());
        Assert.Equal("acknowledged", _incident.Status);
        Assert.Null((await Impacts.GetAsync(refresh: true)).Error);
        Assert.True(_pagerDuty.Requests.Count > sent + 1);
    }

    [Fact]
    public async Task StaysWithinItsOwnRequestBudget()
    {
        await DisposeAsync();
        await StartAsync(requestsPerMinute: 4);
        for (var i = 0; i < 4; i++) _pagerDuty.IncidentImpacts[_pagerDuty.SeedIncident($"Outage {i}", "PWIXJZS").Id] = ["PBS0002"];

        var view = await Impacts.GetAsync();

        Assert.Equal(4, _pagerDuty.Requests.Count);
        Assert.Equal(2, view.Services[0].Incidents.Count);
        Assert.Contains("3 open incident(s) not shown under their business services yet", view.Notice);
    }
}
