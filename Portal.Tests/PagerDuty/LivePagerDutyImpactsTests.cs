using Portal.Core.PagerDuty;

namespace Portal.Tests.PagerDuty;

/// The calls behind the Status Dashboard, against the strict fake: business-service impacts (a live list), every
/// business service, the open incidents and one incident's impacts, with the headers and parameters PagerDuty documents.
public sealed class LivePagerDutyImpactsTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private FakePagerDutyServer _server = default!;
    private HttpClient _http = default!;
    private LivePagerDuty _pagerDuty = default!;

    public async Task InitializeAsync()
    {
        _server = await FakePagerDutyServer.StartAsync();
        _http = new HttpClient { BaseAddress = _server.BaseUrl, Timeout = TimeSpan.FromSeconds(10) };
        _pagerDuty = new LivePagerDuty(_http, _ => Task.FromResult<string?>(_server.ApiKey));
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task ReadsBusinessServiceImpactsWithTheHighestImpactingPriority()
    {
        _server.BusinessServices.AddRange([
            new("PBS0001", "Billing"), new("PBS0002", "Online store", Impacted: true, HighestImpactingPriorityId: "P1"), new("PBS0003", "Accounts")]);

        var impacts = await _pagerDuty.ListBusinessServiceImpactsAsync(null, None);

        Assert.False(impacts.More);
        Assert.Equal(["PBS0002", "PBS0003", "PBS0001"], impacts.Services.Select(s => s.Id));
        Assert.Equal(new PdBusinessServiceImpact("PBS0002", "Online store", true, "P1", 5), impacts.Services[0]);
        Assert.Equal(new PdBusinessServiceImpact("PBS0003", "Accounts", false), impacts.Services[1]);
        var request = Assert.Single(_server.Requests);
        Assert.Equal(("GET", "/business_services/impacts", "?additional_fields[]=services.highest_impacting_priority"),
            (request.Method, request.Path, Uri.UnescapeDataString(request.Query)));
        Assert.Equal(("Token token=" + FakePagerDutyServer.DefaultApiKey, FakePagerDutyServer.AcceptHeader, "business-impact-early-access"),
            (request.Header("Authorization"), request.Header("Accept"), request.Header("X-EARLY-ACCESS")));
    }

    [Fact]
    public async Task SaysWhenThePagerDutyLimitLeftServicesOutAndAsksForThemByIdInChunks()
    {
        _server.ImpactsLimit = 200;
        _server.BusinessServices.AddRange(Enumerable.Range(1, 250).Select(i => new FakeBusinessService($"PBS{i:D4}", $"Service {i:D4}")));

        var first = await _pagerDuty.ListBusinessServiceImpactsAsync(null, None);
        Assert.True(first.More);
        Assert.Equal(200, first.Services.Count);

        var ids = _server.BusinessServices.Select(s => s.Id).ToList();
        var byId = await _pagerDuty.ListBusinessServiceImpactsAsync(ids, None);
        Assert.Equal(250, byId.Services.Count);
        var chunks = _server.Requests.Skip(1).ToList();
        Assert.Equal([100, 100, 50], chunks.Select(r => Uri.UnescapeDataString(r.Query).Split("ids[]=").Length - 1));
    }

    [Fact]
    public async Task ListsEveryBusinessServiceAcrossPages()
    {
        _server.BusinessServices.AddRange(Enumerable.Range(1, 150).Select(i => new FakeBusinessService($"PBS{i:D4}", $"Service {i:D4}")));

        var all = await _pagerDuty.ListBusinessServicesAsync(None);

        Assert.Equal(150, all.Count);
        Assert.Equal(new PdReference("PBS0150", "Service 0150"), all[^1]);
        Assert.Equal(["?limit=100&offset=0", "?limit=100&offset=100"], _server.Requests.Select(r => r.Query));
    }

    [Fact]
    public async Task ListsTheOpenIncidentsOfEveryAgeWithTheirPriority()
    {
        for (var i = 0; i < 120; i++) _server.SeedIncident($"Open {i}", createdUtc: DateTime.UtcNow.AddMonths(-3));
        _server.SeedIncident("Done", status: "resolved");
        var acknowledged = _server.SeedIncident("Looking", status: "acknowledged");
        acknowledged.PriorityId = "P2";

        var open = await _pagerDuty.ListOpenIncidentsAsync(None);

        Assert.Equal(121, open.Count);
        Assert.DoesNotContain(open, i => i.Title == "Done");
        var looking = open.Single(i => i.Id == acknowledged.Id);
        Assert.Equal(("acknowledged", "P2", "P2"), (looking.Status, looking.PriorityId, looking.PriorityName));
        Assert.All(_server.Requests, r => Assert.StartsWith("?statuses[]=triggered&statuses[]=acknowledged&date_range=all&limit=100&offset=",
            Uri.UnescapeDataString(r.Query)));
        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public async Task ReadsTheBusinessServicesOneIncidentImpacts()
    {
        _server.BusinessServices.AddRange([new("PBS0001", "Billing", true), new("PBS0002", "Online store", true), new("PBS0003", "Accounts")]);
        var incident = _server.SeedIncident("Payments down");
        _server.IncidentImpacts[incident.Id] = ["PBS0001", "PBS0002"];

        var impacts = await _pagerDuty.ListIncidentImpactsAsync(incident.Id, None);

        Assert.Equal(["PBS0001", "PBS0002"], impacts.Select(s => s.Id));
        Assert.All(impacts, s => Assert.True(s.Impacted));
        var request = Assert.Single(_server.Requests);
        Assert.Equal(($"/incidents/{incident.Id}/business_services/impacts", "", "business-impact-early-access"),
            (request.Path, request.Query, request.Header("X-EARLY-ACCESS")));
    }

    [Fact]
    public async Task ReturnsThePublishedStatusUpdateWithItsId()
    {
        var incident = _server.SeedIncident("Payments down");

        var update = await _pagerDuty.AddStatusUpdateAsync(incident.Id, "Card payments fail for some customers", FakePagerDutyServer.IntegrationEmail, None);

        Assert.NotNull(update.Id);
        Assert.Equal(("Card payments fail for some customers", "Portal Integration"), (update.Message, update.SenderName));
        Assert.NotNull(update.CreatedUtc);
    }

    [Fact]
    public async Task ReportsARefusalInPagerDutysWords()
    {
        _server.AnswerNext(FakeAnswer.Error(402, "Account does not have the abilities to perform the action", 2014, "Business services need a Business plan"));

        var error = await Assert.ThrowsAsync<PagerDutyException>(() => _pagerDuty.ListBusinessServiceImpactsAsync(null, None));

        Assert.Equal((402, 2014), (error.StatusCode, error.ErrorCode));
        Assert.Equal("Account does not have the abilities to perform the action: Business services need a Business plan", error.Describe());
    }
}
