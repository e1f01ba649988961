using System.Text.Json;
using Portal.Core;
using Portal.Core.Links;
using Portal.Core.Records;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Links;

public sealed class IncidentLinksTests : IAsyncLifetime
{
    private TestDatabase _db = default!;
    private IncidentLinks Links => _db.Get<IncidentLinks>();

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync();
    public async Task DisposeAsync() => await _db.DisposeAsync();

    private async Task<string> NewCaseAsync() =>
        (await _db.Get<RecordStore>().CreateAsync("Case", JsonDocument.Parse("""{"Subject":"Linked"}""").RootElement, ChangeActor.System)).Id;

    [Fact]
    public async Task LinksAnIncidentWithItsStateAndShowsItOnTheRecord()
    {
        var id = await NewCaseAsync();
        await Links.LinkAsync(id, new IncidentState("Q2CKYRLH85UNN4", 37, "Checkout down", "triggered", "high", "P1", "PNE3JZM", "Checkout", "https://pd/incidents/Q2"), "agent");
        var record = await _db.Get<RecordStore>().GetAsync("Case", id);
        var link = Assert.Single(record.Incidents);
        Assert.Equal(("Q2CKYRLH85UNN4", 37L, "triggered", "P1"), (link.IncidentId, link.Number!.Value, link.Status, link.Priority));
    }

    [Fact]
    public async Task RefreshesTheIncidentOnEveryLinkedRecord()
    {
        var first = await NewCaseAsync();
        var second = await NewCaseAsync();
        await Links.LinkAsync(first, new IncidentState("P1", Status: "triggered"), "agent");
        await Links.LinkAsync(second, new IncidentState("P1", Status: "triggered"), "agent");
        Assert.Equal(2, await Links.UpdateIncidentAsync(new IncidentState("P1", Status: "acknowledged")));
        Assert.All(await Links.ForIncidentAsync("P1"), l => Assert.Equal("acknowledged", l.Status));
    }

    [Fact]
    public async Task LinksAnIncidentToAtMostTenRecords()
    {
        for (var i = 0; i < IncidentLinks.MaxRecordsPerIncident; i++) await Links.LinkAsync(await NewCaseAsync(), new IncidentState("PMANY", 5), "agent");
        var eleventh = await NewCaseAsync();
        var error = await Assert.ThrowsAsync<PortalValidationException>(() => Links.LinkAsync(eleventh, new IncidentState("PMANY", 5), "agent"));
        Assert.Contains("already linked to 10 records", error.Message);
        Assert.Empty(await Links.ForRecordAsync(eleventh));
    }

    [Fact]
    public async Task UnlinksOnlyTheGivenPair()
    {
        var id = await NewCaseAsync();
        await Links.LinkAsync(id, new IncidentState("PA"), "agent");
        await Links.LinkAsync(id, new IncidentState("PB"), "agent");
        Assert.True(await Links.UnlinkAsync(id, "PA"));
        Assert.False(await Links.UnlinkAsync(id, "PA"));
        Assert.Equal("PB", Assert.Single(await Links.ForRecordAsync(id)).IncidentId);
    }
}
