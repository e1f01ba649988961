using Portal.Core.StatusDashboard;
using Portal.Tests.Infrastructure;
using Portal.Tests.PagerDuty;

namespace Portal.Tests.StatusDashboard;

/// The dashboard's read of PagerDuty is kept in the database: served after a restart without reading PagerDuty again,
/// and, on PostgreSQL, by every instance, only one of which reads PagerDuty at a time. And when PagerDuty cannot be
/// read, the dashboard says since when, and shows the last good read as such.
public class StoredStatusDashboardReadTests : OnEitherDatabase, IAsyncLifetime
{
    private FakePagerDutyServer _pagerDuty = default!;
    private TestDatabase _db = default!;

    public async Task InitializeAsync()
    {
        _pagerDuty = await FakePagerDutyServer.StartAsync();
        _db = await TestDatabase.WithPagerDutyAsync(_pagerDuty.PortalSettings(), postgres: await PostgresAsync());
        _pagerDuty.BusinessServices.AddRange([new("PBS0001", "Billing"), new("PBS0002", "Online store", Impacted: true, HighestImpactingPriorityId: "P1")]);
        var incident = _pagerDuty.SeedIncident("Card payments fail", "PWIXJZS");
        incident.PriorityId = "P1";
        _pagerDuty.IncidentImpacts[incident.Id] = ["PBS0002"];
    }

    public async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        await _pagerDuty.DisposeAsync();
    }

    [Fact]
    public async Task AfterARestartTheLastReadIsShownAtOnceWithoutReadingPagerDutyAgain()
    {
        var first = await _db.Get<BusinessImpacts>().GetAsync();
        var requests = _pagerDuty.Requests.Count;
        Assert.Equal(3, requests); // impacts, open incidents, the one incident's impacts

        _db = await _db.RestartAsync();
        _db.Clock.Advance(TimeSpan.FromSeconds(30));
        var again = await _db.Get<BusinessImpacts>().GetAsync();

        Assert.Equal(requests, _pagerDuty.Requests.Count);
        Assert.Equal(first.ReadAt, again.ReadAt);
        Assert.Equal(["Online store", "Billing"], again.Services.Select(s => s.Name));
        Assert.Equal("Card payments fail", Assert.Single(again.Services[0].Incidents).Title);

        // past its lifetime the stored read is read again; the incident's business services are known from it
        _db.Clock.Advance(TimeSpan.FromSeconds(31));
        await _db.Get<BusinessImpacts>().GetAsync();
        Assert.Equal(requests + 2, _pagerDuty.Requests.Count);
    }

    [Fact]
    public async Task SaysSinceWhenPagerDutyCouldNotBeReadAndShowsTheLastGoodReadAsSuch()
    {
        var impacts = _db.Get<BusinessImpacts>();
        var good = await impacts.GetAsync();
        Assert.Equal((good.ReadAt, (DateTimeOffset?)null), (good.LastGoodReadAt, good.FailingSince));

        _db.Clock.Advance(TimeSpan.FromSeconds(61));
        var failedAt = _db.Clock.GetUtcNow();
        _pagerDuty.AnswerNext(FakeAnswer.ServerError);
        var failing = await impacts.GetAsync();
        Assert.Equal("PagerDuty answered 500: Internal Server Error", failing.Error);
        Assert.Equal((good.ReadAt, failedAt), (failing.LastGoodReadAt, failing.FailingSince));
        Assert.Equal("Online store", failing.Services[0].Name);

        // still failing a minute later: since when stays the first failure
        _db.Clock.Advance(TimeSpan.FromSeconds(61));
        _pagerDuty.AnswerNext(FakeAnswer.ServerError);
        var stillFailing = await impacts.GetAsync();
        Assert.Equal((good.ReadAt, failedAt), (stillFailing.LastGoodReadAt, stillFailing.FailingSince));

        _db.Clock.Advance(TimeSpan.FromSeconds(61));
        var recovered = await impacts.GetAsync();
        Assert.Null(recovered.Error);
        Assert.Equal((recovered.ReadAt, (DateTimeOffset?)null), (recovered.LastGoodReadAt, recovered.FailingSince));
    }

    [Fact]
    public async Task NeverHavingReadPagerDutyTheDashboardShowsNoServicesAndSinceWhenItFails()
    {
        _pagerDuty.AnswerNext(FakeAnswer.ServerError);
        var failing = await _db.Get<BusinessImpacts>().GetAsync();

        Assert.Equal("PagerDuty answered 500: Internal Server Error", failing.Error);
        Assert.Empty(failing.Services);
        Assert.Null(failing.LastGoodReadAt);
        Assert.Equal(_db.Clock.GetUtcNow(), failing.FailingSince);
    }
}

[Collection(PostgresCollection.Name)]
public sealed class StoredStatusDashboardReadOnPostgresTests(PostgresCluster cluster) : StoredStatusDashboardReadTests
{
    protected override async Task<string?> PostgresAsync() => await cluster.CreateDatabaseAsync();
}

/// Two instances on one PostgreSQL database: one reads PagerDuty, the other serves that read; while one is reading,
/// the other does not read too.
[Collection(PostgresCollection.Name)]
public sealed class SharedStatusDashboardReadTests(PostgresCluster cluster) : IAsyncLifetime
{
    private FakePagerDutyServer _pagerDuty = default!;
    private TestDatabase _one = default!;
    private TestDatabase _two = default!;

    public async Task InitializeAsync()
    {
        _pagerDuty = await FakePagerDutyServer.StartAsync();
        _one = await TestDatabase.WithPagerDutyAsync(_pagerDuty.PortalSettings(), postgres: await cluster.CreateDatabaseAsync());
        _two = _one.SecondInstance();
        _pagerDuty.BusinessServices.AddRange([new("PBS0001", "Billing"), new("PBS0002", "Online store", Impacted: true)]);
        _pagerDuty.IncidentImpacts[_pagerDuty.SeedIncident("Card payments fail", "PWIXJZS").Id] = ["PBS0002"];
    }

    public async Task DisposeAsync()
    {
        await _two.DisposeAsync();
        await _one.DisposeAsync();
        await _pagerDuty.DisposeAsync();
    }

    private void Advance(TimeSpan by)
    {
        _one.Clock.Advance(by);
        _two.Clock.Advance(by);
    }

    [Fact]
    public async Task OneInstanceReadsPagerDutyAndEveryOtherServesThatRead()
    {
        var read = await _one.Get<BusinessImpacts>().GetAsync();
        Assert.Equal(3, _pagerDuty.Requests.Count);
        var served = await _two.Get<BusinessImpacts>().GetAsync();
        Assert.Equal(3, _pagerDuty.Requests.Count);
        Assert.Equal((read.ReadAt, 1), (served.ReadAt, served.ImpactedCount));

        // both due again; the first is reading (PagerDuty holds its answer): the second shows what it has, reads nothing
        Advance(TimeSpan.FromSeconds(61));
        var held = _pagerDuty.HoldNext("GET", "business_services/impacts", carryOut: false);
        var reading = _one.Get<BusinessImpacts>().GetAsync();
        await held.WaitAsync(TimeSpan.FromSeconds(10));
        var meanwhile = await _two.Get<BusinessImpacts>().GetAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(read.ReadAt, meanwhile.ReadAt);
        Assert.Equal(4, _pagerDuty.Requests.Count);

        _pagerDuty.ReleaseHangs();
        var newer = await reading.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(newer.ReadAt > read.ReadAt);
        // the second then serves the first's new read
        var after = await _two.Get<BusinessImpacts>().GetAsync();
        Assert.Equal(newer.ReadAt, after.ReadAt);
        Assert.Equal(5, _pagerDuty.Requests.Count); // the two lists; the incident's business services were known
    }
}
