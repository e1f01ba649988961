using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Portal.Components.Pages.Logs;
using Portal.Core.Links;
using Portal.Core.Logging;
using Portal.Core.Records;
using Portal.Tests.Infrastructure;
using LogLevel = Portal.Core.Logging.LogLevel;

namespace Portal.Tests.Components.Logs;

public sealed class LogsPageTests : DatabaseComponentTest
{
    private string _caseId = "";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _caseId = (await Database.Get<RecordStore>().CreateAsync("Case",
            System.Text.Json.JsonDocument.Parse("""{"Subject":"Checkout down"}""").RootElement, ChangeActor.System)).Id;
        await Database.Get<IncidentLinks>().LinkAsync(_caseId, new IncidentState("Q2CK", 37, "Checkout 502s", "triggered", "high", "P1",
            HtmlUrl: "https://acme.pagerduty.com/incidents/Q2CK"), "test");
        var log = Database.Get<IntegrationLog>();
        log.Write(LogLevel.Info, LogCategories.Webhook, "Received incident.triggered for incident 37", incidentId: "Q2CK");
        log.Write(LogLevel.Error, LogCategories.Action, "addNote failed for good: Incident Already Resolved", Guid.NewGuid(), _caseId, "Q2CK");
        log.Write(LogLevel.Error, LogCategories.Action, "resolve failed for good: Not Found", recordId: "another");
        await log.FlushAsync();
    }

    private IRenderedComponent<LogsPage> RenderAt(string url)
    {
        var auth = AddAuthorization();
        auth.SetAuthorized("ops@portal.test");
        auth.SetRoles("Auditor");
        Render<MudBlazor.MudPopoverProvider>();
        Services.GetRequiredService<NavigationManager>().NavigateTo(url);
        return Render<LogsPage>();
    }

    private static List<string> Rows(IRenderedComponent<LogsPage> cut) =>
        [.. cut.FindAll("#log-grid tbody tr").Select(r => r.TextContent)];

    [Fact]
    public void TakesItsFiltersFromTheAddressSoOtherPagesCanLinkToOneRecordsEntries()
    {
        var cut = RenderAt($"/logs?level=Error&record={_caseId}");
        cut.WaitForAssertion(() => Assert.Contains("addNote failed for good", Assert.Single(Rows(cut))));
        Assert.Contains($"recordId={_caseId}", cut.Find("#export-json").GetAttribute("href"));
        Assert.Contains("level=Error", cut.Find("#export-csv").GetAttribute("href"));
    }

    [Fact]
    public void TheDetailLinksTheRecordAndTheIncidentAndOffersToFollowTheEvent()
    {
        var cut = RenderAt("/logs?incident=Q2CK&level=Error");
        cut.WaitForAssertion(() => Assert.Single(Rows(cut)));
        cut.Find("#log-grid tbody tr td").Click();

        cut.WaitForAssertion(() => Assert.Equal($"/records/Case/{_caseId}", cut.Find("#detail-record").GetAttribute("href")));
        Assert.Equal("https://acme.pagerduty.com/incidents/Q2CK", cut.Find("#detail-incident").GetAttribute("href"));
        Assert.Contains("#37", cut.Find("#log-detail").TextContent);
        Assert.NotNull(cut.Find("#follow-event"));
        Assert.Empty(cut.FindAll("#dry-run-again")); // an action's failure carries no event to replay
    }

    [Fact]
    public async Task KeepsTheFiltersInTheAddressSoAReloadShowsTheSameEntries()
    {
        var cut = RenderAt("/logs?level=Error");
        cut.WaitForAssertion(() => Assert.Equal(2, Rows(cut).Count));
        var navigation = Services.GetRequiredService<NavigationManager>();
        cut.Find("#log-text").Input("addNote");
        // the field's debounce runs on the page's clock, from a timer it starts once the input event is handled
        for (var tries = 0; !navigation.Uri.Contains("text=addNote") && tries < 100; tries++)
        {
            Database.Clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(50);
        }
        Assert.Contains("text=addNote", navigation.Uri);
        cut.Find("#log-record").Change(_caseId);
        cut.WaitForAssertion(() => Assert.Contains($"record={_caseId}", navigation.Uri));
        var address = new Uri(navigation.Uri);
        Assert.Equal("/logs", address.AbsolutePath);
        Assert.Contains($"record={_caseId}", address.Query);
        Assert.Contains("level=Error", address.Query);
        cut.WaitForAssertion(() => Assert.Contains("addNote failed for good", Assert.Single(Rows(cut))));

        // the same address in a new page (a reload, a bookmark) reads them back
        var again = Render<LogsPage>();
        again.WaitForAssertion(() => Assert.Contains("addNote failed for good", Assert.Single(Rows(again))));
        Assert.Equal("addNote", again.Find("#log-text").GetAttribute("value"));
        Assert.Equal(_caseId, again.Find("#log-record").GetAttribute("value"));
    }

    [Fact]
    public void ShowsEveryLevelWhenNoFilterIsGiven()
    {
        var cut = RenderAt("/logs");
        cut.WaitForAssertion(() => Assert.Equal(3, Rows(cut).Count(r => r.Contains("failed for good") || r.Contains("Received"))));
    }
}
