using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Portal.Components.Pages.Records;
using Portal.Core.Dispatch;
using Portal.Core.Notifications;
using Portal.Core.PagerDuty;
using Portal.Tests.Infrastructure;
using Portal.Tests.PagerDuty;

namespace Portal.Tests.Components.Records;

/// A linked incident's timeline reads PagerDuty again by itself when something happens to the incident.
public sealed class IncidentTimelinePanelTests : PortalComponentTest
{
    private FakePagerDutyServer _pagerDuty = default!;
    private TestDatabase _db = default!;

    public override async Task InitializeAsync()
    {
        _pagerDuty = await FakePagerDutyServer.StartAsync();
        _db = await TestDatabase.WithPagerDutyAsync(_pagerDuty.PortalSettings());
        Services.AddSingleton(_db.Get<IncidentTimeline>());
        Services.AddSingleton(_db.Get<ChangeNotifier>());
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _db.DisposeAsync();
        await _pagerDuty.DisposeAsync();
    }

    [Fact]
    public void ReadsTheTimelineAgainWhenAnActionOnItsIncidentIsDoneButNotForAnotherIncident()
    {
        var incident = _pagerDuty.SeedIncident("Checkout down");
        incident.Notes.Add(("N1", "First look: the card processor", FakePagerDutyServer.IntegrationUserId, DateTime.UtcNow.AddMinutes(-2)));
        var cut = Render<IncidentTimelinePanel>(p => p.Add(x => x.IncidentId, incident.Id));
        cut.WaitForAssertion(() => Assert.Contains("First look: the card processor", cut.Markup));
        var reads = _pagerDuty.Requests.Count;

        // another incident's action: nothing is read
        incident.Notes.Add(("N2", "Rolled back the deploy", FakePagerDutyServer.IntegrationUserId, DateTime.UtcNow));
        _db.Get<ChangeNotifier>().Publish(new ActionFinished(Finished("POTHER")));
        Thread.Sleep(600);
        Assert.Equal(reads, _pagerDuty.Requests.Count);
        Assert.DoesNotContain("Rolled back the deploy", cut.Markup);

        // this incident's: the new note shows without a click on Refresh
        _db.Get<ChangeNotifier>().Publish(new ActionFinished(Finished(incident.Id)));
        cut.WaitForAssertion(() => Assert.Contains("Rolled back the deploy", cut.Markup), TimeSpan.FromSeconds(5));
        Assert.Contains("First look: the card processor", cut.Markup);
    }

    private static PlannedActionEntity Finished(string incidentId) => new()
    {
        Id = Guid.CreateVersion7(), ActionType = "addNote", PayloadJson = "{}", RequestedBy = "agent", IncidentId = incidentId,
        State = PlannedActionStates.Succeeded, CorrelationId = Guid.CreateVersion7(),
    };
}
