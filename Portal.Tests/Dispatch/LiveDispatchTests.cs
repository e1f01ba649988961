using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Dispatch;
using Portal.Core.PagerDuty;
using Portal.Core.Records;
using Portal.Core.Rulesets;
using Portal.Tests.Infrastructure;
using Portal.Tests.PagerDuty;
using Portal.Tests.Rulesets;

namespace Portal.Tests.Dispatch;

/// The dispatcher against the strict fake PagerDuty: what it sends, and how it behaves when PagerDuty is slow,
/// refuses, rate-limits or fails.
public class LiveDispatchTests : OnEitherDatabase, IAsyncLifetime
{
    private FakePagerDutyServer _pagerDuty = default!;
    private TestDatabase _db = default!;
    private static readonly ChangeActor Agent = new("agent@portal.test");

    public async Task InitializeAsync()
    {
        _pagerDuty = await FakePagerDutyServer.StartAsync();
        _db = await TestDatabase.WithPagerDutyAsync(_pagerDuty.PortalSettings(("Dispatch:MaxAttempts", "3"), ("Dispatch:RequestsPerMinute", "5")), services => services.AddHttpClient("PagerDuty", http => http.Timeout = TimeSpan.FromSeconds(3)), postgres: await PostgresAsync());
        await _db.Get<RulesetStore>().SaveAsync(RulesWiringTests.ContractExample, "admin");
    }

    public async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        await _pagerDuty.DisposeAsync();
    }

    private ActionDispatcher Dispatcher => _db.Get<ActionDispatcher>();

    private async Task<RecordDto> HighPriorityCaseAsync() =>
        await _db.Get<RecordStore>().CreateAsync("Case", JsonDocument.Parse("""{"Subject":"Checkout down","Priority":"High"}""").RootElement, Agent);

    private async Task<PlannedActionEntity> PlannedAsync()
    {
        await using var db = await _db.ContextAsync();
        return await db.PlannedActions.AsNoTracking().SingleAsync();
    }

    [Fact]
    public async Task CreatesTheIncidentWithTheDocumentedRequestAndLinksIt()
    {
        var record = await HighPriorityCaseAsync();
        await Dispatcher.RunDueAsync();

        var incident = Assert.Single(_pagerDuty.Incidents);
        Assert.Equal("Case 00000001 Checkout down", incident.Title);
        Assert.Equal($"portal:Case:{record.Id}", incident.IncidentKey);
        var create = _pagerDuty.Requests.Single(r => r.Method == "POST" && r.Path == "/incidents");
        Assert.Equal(FakePagerDutyServer.IntegrationEmail, create.Headers["From"]);
        Assert.Equal(PlannedActionStates.Succeeded, (await PlannedAsync()).State);
        var link = Assert.Single((await _db.Get<RecordStore>().GetAsync("Case", record.Id)).Incidents);
        Assert.Equal(incident.Id, link.IncidentId);
    }

    [Fact]
    public async Task WaitsForRateLimitResetBeforeTryingAgain()
    {
        await HighPriorityCaseAsync();
        _pagerDuty.AnswerNext(FakeAnswer.RateLimited(20));
        await Dispatcher.RunDueAsync();
        var waiting = await PlannedAsync();
        Assert.Equal(PlannedActionStates.Pending, waiting.State);
        Assert.Contains("Rate Limit Exceeded", waiting.LastError);
        Assert.Equal(_db.Clock.GetUtcNow().UtcDateTime.AddSeconds(20), waiting.NextAttemptUtc);

        _db.Clock.Advance(TimeSpan.FromSeconds(19));
        Assert.Equal(0, await Dispatcher.RunDueAsync());
        _db.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, await Dispatcher.RunDueAsync());
        Assert.Equal(PlannedActionStates.Succeeded, (await PlannedAsync()).State);
        Assert.Single(_pagerDuty.Incidents);
    }

    [Fact]
    public async Task BacksOffOnServerErrorsThenDeadLettersWithTheLastError()
    {
        await HighPriorityCaseAsync();
        _pagerDuty.AnswerNext(FakeAnswer.ServerError, 10);
        var delays = new List<TimeSpan>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            await Dispatcher.RunDueAsync();
            var row = await PlannedAsync();
            if (row.State == PlannedActionStates.Pending) delays.Add(row.NextAttemptUtc - _db.Clock.GetUtcNow().UtcDateTime);
            _db.Clock.Advance(TimeSpan.FromMinutes(11));
        }
        var dead = await PlannedAsync();
        Assert.Equal(PlannedActionStates.DeadLettered, dead.State);
        Assert.Equal(3, dead.Attempts);
        Assert.Contains("Internal Server Error", dead.LastError);
        Assert.Equal(2, delays.Count);
        Assert.InRange(delays[0].TotalSeconds, 1, 2);   // 2 s with jitter
        Assert.InRange(delays[1].TotalSeconds, 2, 4);   // doubled
        Assert.Empty(_pagerDuty.Incidents);
    }

    [Fact]
    public async Task DoesNotRetryARefusal()
    {
        await _db.Get<RulesetStore>().SaveAsync(RulesWiringTests.ContractExample.Replace("PNE3JZM", "PUNKNOWN"), "admin");
        await HighPriorityCaseAsync();
        await Dispatcher.RunDueAsync();
        var dead = await PlannedAsync();
        Assert.Equal(PlannedActionStates.DeadLettered, dead.State);
        Assert.Equal(1, dead.Attempts);
        Assert.False(string.IsNullOrEmpty(dead.LastError));
    }

    [Fact]
    public async Task LinksTheOpenIncidentPagerDutyAlreadyHasForTheKey()
    {
        var record = await HighPriorityCaseAsync();
        var existing = _pagerDuty.SeedIncident("Created before the crash", incidentKey: $"portal:Case:{record.Id}");
        await Dispatcher.RunDueAsync();
        Assert.Single(_pagerDuty.Incidents);
        Assert.Equal(existing.Id, Assert.Single((await _db.Get<RecordStore>().GetAsync("Case", record.Id)).Incidents).IncidentId);
        Assert.Equal(PlannedActionStates.Succeeded, (await PlannedAsync()).State);
    }

    [Fact]
    public async Task RetriesACallThatHangs()
    {
        await HighPriorityCaseAsync();
        _pagerDuty.AnswerNext(FakeAnswer.Hanging);
        await Dispatcher.RunDueAsync();
        var waiting = await PlannedAsync();
        Assert.Equal(PlannedActionStates.Pending, waiting.State);
        _pagerDuty.ReleaseHangs();
        _db.Clock.Advance(TimeSpan.FromMinutes(1));
        await Dispatcher.RunDueAsync();
        Assert.Equal(PlannedActionStates.Succeeded, (await PlannedAsync()).State);
        Assert.Single(_pagerDuty.Incidents);
    }

    [Fact]
    public async Task StaysWithinTheRequestBudget()
    {
        var cases = new List<RecordDto>();
        for (var i = 0; i < 8; i++) cases.Add(await HighPriorityCaseAsync());
        await Dispatcher.RunDueAsync();
        Assert.Equal(5, _pagerDuty.Requests.Count(r => r.Path == "/incidents" && r.Method == "POST"));
        await using (var db = await _db.ContextAsync())
            Assert.Equal(3, await db.PlannedActions.CountAsync(a => a.State == PlannedActionStates.Pending && a.NextAttemptUtc > _db.Clock.GetUtcNow().UtcDateTime));
        _db.Clock.Advance(RequestBudget.Hold);
        await Dispatcher.RunDueAsync();
        Assert.Equal(8, _pagerDuty.Incidents.Count);
    }

    [Fact]
    public async Task AnActionGivenBackForTheBudgetKeepsItsPlaceAheadOfYoungerOnes()
    {
        // batches of 2, so that which actions a claim takes first is what decides
        await _db.DisposeAsync();
        _db = await TestDatabase.WithPagerDutyAsync(_pagerDuty.PortalSettings(("Dispatch:RequestsPerMinute", "5"), ("Dispatch:BatchSize", "2")),
            postgres: await PostgresAsync());
        await _db.Get<RulesetStore>().SaveAsync(RulesWiringTests.ContractExample, "admin");
        async Task RunAllDueAsync()
        {
            while (await Dispatcher.RunDueAsync() > 0) { }
        }
        var older = new List<RecordDto>();
        for (var i = 0; i < 7; i++) older.Add(await HighPriorityCaseAsync());
        await RunAllDueAsync(); // 5 sent, 2 given back until the window has room
        _db.Clock.Advance(TimeSpan.FromSeconds(1));
        var younger = new List<RecordDto>();
        for (var i = 0; i < 4; i++) younger.Add(await HighPriorityCaseAsync());

        _db.Clock.Advance(RequestBudget.Hold);
        await RunAllDueAsync();

        // the next 5: the 2 given back first, then the 3 oldest of the younger ones
        var paged = _pagerDuty.Incidents.Select(i => i.IncidentKey).ToHashSet();
        Assert.Equal(10, paged.Count);
        Assert.All(older, c => Assert.Contains($"portal:Case:{c.Id}", paged));
        Assert.Equal([false, false, false, true], younger.Select(c => !paged.Contains($"portal:Case:{c.Id}")));
    }
}

[Collection(PostgresCollection.Name)]
public sealed class LiveDispatchOnPostgresTests(PostgresCluster cluster) : LiveDispatchTests
{
    protected override async Task<string?> PostgresAsync() => await cluster.CreateDatabaseAsync();
}
