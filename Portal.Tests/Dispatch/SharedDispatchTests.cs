using Microsoft.EntityFrameworkCore;
using Portal.Core.Dispatch;
using Portal.Tests.Infrastructure;
using Portal.Tests.PagerDuty;

namespace Portal.Tests.Dispatch;

/// Two dispatchers (two instances, each with its own instance id) on one PostgreSQL database: actions on one incident
/// stay in order across them. While one instance's note is held at PagerDuty, the other claims nothing of that
/// incident's lane, however many of its later actions are due; once the first is done, the next goes.
[Collection(PostgresCollection.Name)]
public sealed class SharedDispatchTests(PostgresCluster cluster) : IAsyncLifetime
{
    private FakePagerDutyServer _pagerDuty = default!;
    private TestDatabase _first = default!;
    private TestDatabase _second = default!;

    public async Task InitializeAsync()
    {
        _pagerDuty = await FakePagerDutyServer.StartAsync();
        var database = await cluster.CreateDatabaseAsync();
        // the first claims one action a round, so that the lane's second is left for the other instance to try
        _first = await TestDatabase.WithPagerDutyAsync(_pagerDuty.PortalSettings(("Dispatch:BatchSize", "1")), postgres: database);
        _second = await TestDatabase.WithPagerDutyAsync(_pagerDuty.PortalSettings(), postgres: database);
    }

    public async Task DisposeAsync()
    {
        await _first.DisposeAsync();
        await _second.DisposeAsync();
        await _pagerDuty.DisposeAsync();
    }

    [Fact]
    public async Task AnotherInstanceNeverRunsALaterActionOfAnIncidentBesideAnEarlierOne()
    {
        var incident = _pagerDuty.SeedIncident("Checkout down");
        var other = _pagerDuty.SeedIncident("Payments down", serviceId: "PWIXJZS");
        var due = _first.Clock.GetUtcNow().UtcDateTime.AddMinutes(-1);
        await using (var db = await _first.ContextAsync())
        {
            foreach (var (incidentId, n) in new[] { (incident.Id, 1), (incident.Id, 2), (other.Id, 3) })
                db.PlannedActions.Add(new PlannedActionEntity
                {
                    Id = Guid.NewGuid(), ActionType = "addNote", PayloadJson = $$"""{"type":"addNote","content":"note {{n}}"}""", IncidentId = incidentId,
                    RequestedBy = "agent@portal.test", CreatedUtc = due.AddSeconds(n), NextAttemptUtc = due,
                });
            await db.SaveChangesAsync();
        }

        var held = _pagerDuty.HoldNext("POST", $"incidents/{incident.Id}/notes", carryOut: false);
        var first = _first.Get<ActionDispatcher>().RunDueAsync();
        await held.WaitAsync(TimeSpan.FromSeconds(30));

        // note 1 is in flight on the first instance: the second takes the other incident's note, not note 2
        Assert.Equal(1, await _second.Get<ActionDispatcher>().RunDueAsync());
        Assert.Equal(["note 3"], _pagerDuty.Incidents.Single(i => i.Id == other.Id).Notes.Select(n => n.Content[^6..]));
        Assert.Single(_pagerDuty.Requests, r => r.Path == $"/incidents/{incident.Id}/notes");

        _pagerDuty.ReleaseHangs();
        Assert.Equal(1, await first);
        Assert.Equal(1, await _second.Get<ActionDispatcher>().RunDueAsync());
        Assert.Equal(["note 1", "note 2"], _pagerDuty.Incidents.Single(i => i.Id == incident.Id).Notes.Select(n => n.Content[^6..]));
        await using var check = await _first.ContextAsync();
        Assert.All(await check.PlannedActions.ToListAsync(), a => Assert.Equal(PlannedActionStates.Succeeded, a.State));
    }
}
