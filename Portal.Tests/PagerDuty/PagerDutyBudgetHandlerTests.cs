using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Dispatch;
using Portal.Core.PagerDuty;
using Portal.Core.Records;
using Portal.Core.Rulesets;
using Portal.Core.StatusDashboard;
using Portal.Tests.Infrastructure;
using Portal.Tests.Rulesets;

namespace Portal.Tests.PagerDuty;

/// Every request to PagerDuty pays from the shared budget on the HTTP client itself, whoever makes it: the dispatcher
/// (with its extra look-ups), the Status Dashboard, pick-lists, the console's timeline. A request the budget refuses is
/// never sent, and a 429 that any of them meets pauses all of them.
public sealed class PagerDutyBudgetHandlerTests : IAsyncLifetime
{
    private FakePagerDutyServer _pagerDuty = default!;
    private TestDatabase _db = default!;

    public async Task InitializeAsync()
    {
        _pagerDuty = await FakePagerDutyServer.StartAsync();
        _db = await StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        await _pagerDuty.DisposeAsync();
    }

    private async Task<TestDatabase> StartAsync(params (string Key, string Value)[] settings)
    {
        var db = await TestDatabase.WithPagerDutyAsync(_pagerDuty.PortalSettings(settings));
        await db.Get<RulesetStore>().SaveAsync(RulesWiringTests.ContractExample, "admin");
        return db;
    }

    private async Task<Dictionary<string, int>> GrantedAsync()
    {
        await using var db = await _db.ContextAsync();
        return await db.RequestGrants.GroupBy(g => g.Caller).ToDictionaryAsync(g => g.Key, g => g.Sum(x => x.Count));
    }

    private async Task HighPriorityCaseAsync() =>
        await _db.Get<RecordStore>().CreateAsync("Case", JsonDocument.Parse("""{"Subject":"Checkout down","Priority":"High"}""").RootElement,
            new ChangeActor("agent@portal.test"));

    [Fact]
    public async Task EveryRequestSentToPagerDutyIsPaidForWhoeverSendsIt()
    {
        await HighPriorityCaseAsync();
        await _db.Get<ActionDispatcher>().RunDueAsync();
        var incident = Assert.Single(_pagerDuty.Incidents);
        await _db.Get<PagerDutyDirectory>().GetAsync(refresh: true);
        await _db.Get<IncidentTimeline>().GetAsync(incident.Id);
        await _db.Get<BusinessImpacts>().GetAsync(refresh: true);

        var sent = _pagerDuty.Requests.Count;
        var granted = await GrantedAsync();
        // pick-lists and the timeline have no batch: each of their requests is one grant, exactly
        var interactive = _pagerDuty.Requests.Count(r => r.Method == "GET" && r.Path is "/services" or "/escalation_policies" or "/priorities" or "/users"
            || r.Path.StartsWith($"/incidents/{incident.Id}/", StringComparison.Ordinal));
        Assert.True(interactive >= 5, $"only {interactive} pick-list and timeline requests were seen");
        Assert.Equal(interactive, granted.GetValueOrDefault(RequestCallers.Interactive));
        // batches may take a little more than they send, never less
        Assert.True(granted.Values.Sum() >= sent, $"{sent} requests were sent but only {granted.Values.Sum()} granted");
        Assert.True(granted.GetValueOrDefault(RequestCallers.Dashboard) >= 2);
    }

    [Fact]
    public async Task ARequestPastItsCallersShareIsRefusedWithWhenToTryAgainAndNeverSent()
    {
        await _db.DisposeAsync();
        // 900 + 60 leave the interactive callers their floor of 60
        _db = await StartAsync(("Dispatch:RequestsPerMinute", "900"), ("StatusDashboard:RequestsPerMinute", "60"));
        var budget = _db.Get<RequestBudget>();
        Assert.Equal(RequestBudget.MinInteractiveShare, budget.ShareOf(RequestCallers.Interactive));
        Assert.Equal(RequestBudget.MinInteractiveShare, (await budget.TakeAsync(RequestCallers.Interactive, RequestBudget.MinInteractiveShare)).Granted);

        var refused = await Assert.ThrowsAsync<PagerDutyException>(() => _db.Get<PagerDutyDirectory>().GetAsync(refresh: true));
        Assert.True(refused.BudgetSpent);
        Assert.Contains("request budget for interactive (60 a minute, 960 for all callers together) is spent", refused.Message);
        Assert.Equal(RequestBudget.Hold, refused.RetryAfter);
        Assert.Empty(_pagerDuty.Requests);

        _db.Clock.Advance(RequestBudget.Hold);
        Assert.NotEmpty((await _db.Get<PagerDutyDirectory>().GetAsync(refresh: true)).Services);
    }

    [Fact]
    public async Task ARateLimitMetByAPickListPausesTheDispatcherUntilTheReset()
    {
        _pagerDuty.AnswerNext(FakeAnswer.RateLimited(20));
        var limited = await Assert.ThrowsAsync<PagerDutyException>(() => _db.Get<PagerDutyDirectory>().GetAsync(refresh: true));
        Assert.Equal(429, limited.StatusCode);
        Assert.False(limited.BudgetSpent);

        await HighPriorityCaseAsync();
        var dispatcher = _db.Get<ActionDispatcher>();
        await dispatcher.RunDueAsync();
        Assert.DoesNotContain(_pagerDuty.Requests, r => r.Method == "POST");
        await using (var db = await _db.ContextAsync())
        {
            var waiting = await db.PlannedActions.AsNoTracking().SingleAsync();
            Assert.Equal(PlannedActionStates.Pending, waiting.State);
            Assert.Equal(0, waiting.Attempts);
        }

        _db.Clock.Advance(TimeSpan.FromSeconds(21));
        await dispatcher.RunDueAsync();
        Assert.Single(_pagerDuty.Incidents);
    }
}
