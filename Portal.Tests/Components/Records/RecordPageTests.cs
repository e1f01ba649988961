using System.Text.Json;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Portal.Components.Pages.Records;
using Portal.Core.Links;
using Portal.Core.Records;
using Portal.Core.Security;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Components.Records;

public sealed class RecordPageTests : DatabaseComponentTest
{
    private string _caseId = "";

    private readonly Dictionary<string, PortalUser> _accounts = [];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Database.Get<ObjectCatalog>().AddFieldAsync("Case", new FieldDto("Amount", "Amount", "number"));
        var created = await Database.Get<RecordStore>().CreateAsync("Case",
            JsonDocument.Parse("""{"Subject":"Checkout down","Priority":"High"}""").RootElement, ChangeActor.System);
        _caseId = created.Id;
        await Database.Get<IncidentLinks>().LinkAsync(_caseId, new IncidentState("Q2CK", 37, "Checkout 502s", "triggered", "high", "P1",
            Assignees: ["Ben", "Ada"], CreatedUtc: Database.Clock.GetUtcNow().UtcDateTime.AddHours(-5)), "test");
        foreach (var role in Roles.All)
            _accounts[role] = await Database.AddAccountAsync(role, $"{role.ToLowerInvariant()}@portal.test");
    }

    /// Signed in with an account of `role` (the store checks the account behind the page).
    private IRenderedComponent<RecordPage> RenderAs(string role, string? url = null)
    {
        this.SignIn(_accounts[role]);
        Render<MudBlazor.MudPopoverProvider>();
        if (url is not null) Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo(url);
        return Render<RecordPage>(p => p.Add(x => x.ObjectName, "Case").Add(x => x.Id, _caseId));
    }

    [Fact]
    public void ShowsTheFieldsAndTheLinkedIncidents()
    {
        var cut = RenderAs("User");
        cut.WaitForAssertion(() => Assert.Contains("Case 00000001 · Checkout down", cut.Find("#record-title").TextContent));
        Assert.Equal("High", cut.Find("#field-Priority").GetAttribute("value"));
        var incidents = cut.Find("#linked-incidents").TextContent;
        Assert.Contains("37", incidents);
        Assert.Contains("Checkout 502s", incidents);
        Assert.Contains("triggered", incidents);
    }

    [Fact]
    public async Task ShowsTheStoresMessageBesideTheFieldWithABadValue()
    {
        var cut = RenderAs("User");
        cut.WaitForAssertion(() => cut.Find("#field-Amount"));
        cut.Find("#field-Amount").Input("twelve");
        cut.Find("#save-record").Click();

        cut.WaitForAssertion(() => Assert.Contains("Field 'Amount' is a number; got the text \"twelve\".", cut.Markup));
        var stored = await Database.Get<RecordStore>().GetAsync("Case", _caseId);
        Assert.False(stored.Fields.ContainsKey("Amount"));
    }

    [Fact]
    public async Task SavesOnlyTheChangedFields()
    {
        var cut = RenderAs("Manager");
        cut.WaitForAssertion(() => cut.Find("#field-Status"));
        cut.Find("#field-Status").Input("Working");
        cut.Find("#field-Amount").Input("1250.5");
        cut.Find("#save-record").Click();

        await cut.WaitForAssertionAsync(async () =>
        {
            var stored = await Database.Get<RecordStore>().GetAsync("Case", _caseId);
            Assert.Equal("Working", stored.Fields["Status"]!.GetValue<string>());
            Assert.Equal(1250.5m, stored.Fields["Amount"]!.GetValue<decimal>());
            Assert.Equal("High", stored.Fields["Priority"]!.GetValue<string>());
        });
    }

    [Fact]
    public void ShowsAnAuditorTheRecordWithoutWaysToChangeIt()
    {
        var cut = RenderAs("Auditor");
        cut.WaitForAssertion(() => cut.Find("#record-title"));
        Assert.Empty(cut.FindAll("#save-record"));
        Assert.Empty(cut.FindAll("#add-comment"));
        Assert.Empty(cut.FindAll("button[aria-label^='Unlink']"));
    }

    [Fact]
    public void SaysSoWhenTheRecordDoesNotExist()
    {
        var auth = AddAuthorization();
        auth.SetAuthorized("agent@portal.test");
        auth.SetRoles("User");
        var cut = Render<RecordPage>(p => p.Add(x => x.ObjectName, "Case").Add(x => x.Id, "missing"));
        cut.WaitForAssertion(() => Assert.Contains("There is no Case record 'missing'.", cut.Find("#record-missing").TextContent));
    }

    [Fact]
    public void ShowsWhoIsAssignedAndHowLongTheIncidentHasBeenOpen()
    {
        var cut = RenderAs("User");
        cut.WaitForAssertion(() => Assert.Contains("Assigned to Ben, Ada · open 5 h", cut.Find(".incident-people").TextContent));
    }

    [Fact]
    public void TheTimelineSaysPlainlyWhenPagerDutyCannotAnswer()
    {
        var cut = RenderAs("Auditor"); // reading the timeline is not acting: every role may open it
        cut.WaitForAssertion(() => cut.Find(".console-timeline"));
        cut.Find(".console-timeline").Click();
        // the sandbox has no incident Q2CK (it was linked by hand), and says so as PagerDuty would
        cut.WaitForAssertion(() => Assert.Contains("The timeline could not be read: Not Found: Incident Q2CK not found.", cut.Find(".timeline-error").TextContent));
    }

    [Fact]
    public async Task RendersOnlyTheRowsInViewWhenHundredsOfIncidentsAreLinked()
    {
        for (var i = 0; i < 200; i++)
            await Database.Get<IncidentLinks>().LinkAsync(_caseId, new IncidentState($"PMANY{i:000}", 1000 + i, $"Incident {i}", "triggered"), "test");
        var cut = RenderAs("User");
        cut.WaitForAssertion(() => cut.Find("#linked-incidents-scroll"));
        var rendered = cut.FindAll(".linked-incident").Count;
        Assert.InRange(rendered, 1, 200); // of 201 linked: never all of them
    }

    [Fact]
    public void AgeReadsInTheLargestWholeUnit()
    {
        var now = new DateTime(2026, 3, 2, 10, 0, 0, DateTimeKind.Utc);
        Assert.Equal("just now", LinkedIncidentsPanel.Age(now.AddSeconds(-20), now));
        Assert.Equal("59 min", LinkedIncidentsPanel.Age(now.AddMinutes(-59.5), now));
        Assert.Equal("23 h", LinkedIncidentsPanel.Age(now.AddHours(-23.9), now));
        Assert.Equal("3 d", LinkedIncidentsPanel.Age(now.AddDays(-3.2), now));
    }

    [Theory]
    [InlineData(null, true, true)]
    [InlineData(Portal.Core.Settings.ConsoleSettings.CommandConsole, true, false)]
    [InlineData(Portal.Core.Settings.ConsoleSettings.StatusDashboard, false, true)]
    public async Task ShowsTheConsoleTheObjectMappingsTabChose(string? placement, bool commandConsole, bool statusDashboard)
    {
        if (placement is not null)
            await Database.Get<Portal.Core.Settings.SettingsStore>().SaveAsync(Portal.Core.Settings.ConsoleSettings.Key,
                new Portal.Core.Settings.ConsoleSettings().With("Case", placement), "admin");
        var cut = RenderAs("User");
        cut.WaitForAssertion(() => cut.Find("#record-title"));
        Assert.Equal(commandConsole, cut.FindAll("#command-console").Count == 1);
        Assert.Equal(commandConsole, cut.FindAll("#linked-incidents").Count == 1);
        Assert.Equal(statusDashboard, cut.FindAll("#status-dashboard").Count == 1);
    }

    [Fact]
    public async Task TheConsolePageShowsBothConsolesWithoutTheDetailsWhateverThePlacement()
    {
        await Database.Get<Portal.Core.Settings.SettingsStore>().SaveAsync(Portal.Core.Settings.ConsoleSettings.Key,
            new Portal.Core.Settings.ConsoleSettings().With("Case", Portal.Core.Settings.ConsoleSettings.CommandConsole), "admin");
        var cut = RenderAs("User", $"/records/Case/{_caseId}/console");
        cut.WaitForAssertion(() => cut.Find("#command-console"));
        Assert.Single(cut.FindAll("#status-dashboard"));
        Assert.Empty(cut.FindAll("#save-record"));
        Assert.Equal($"/records/Case/{_caseId}", cut.Find("#record-details-link").GetAttribute("href"));
    }

    [Fact]
    public async Task AnIncidentLinkedWhileTheAgentTypesKeepsTheUnsavedEdits()
    {
        var cut = RenderAs("User");
        cut.WaitForAssertion(() => cut.Find("#field-Status"));
        cut.Find("#field-Status").Input("Working");

        // a rule or a webhook links another incident meanwhile
        await Database.Get<IncidentLinks>().LinkAsync(_caseId, new IncidentState("PNEW123", 38, "Payments 500s", "triggered"), "rule");
        cut.WaitForAssertion(() => Assert.Contains("Payments 500s", cut.Find("#linked-incidents").TextContent));
        Assert.Equal("Working", cut.Find("#field-Status").GetAttribute("value"));

        cut.Find("#save-record").Click();
        await cut.WaitForAssertionAsync(async () =>
            Assert.Equal("Working", (await Database.Get<RecordStore>().GetAsync("Case", _caseId)).Fields["Status"]?.GetValue<string>()));
    }

    [Fact]
    public async Task MovingToAnotherRecordKeepsOneSubscriptionAndLeavingThePageEndsIt()
    {
        var other = await Database.Get<RecordStore>().CreateAsync("Case", JsonDocument.Parse("""{"Subject":"Refunds slow"}""").RootElement,
            ChangeActor.System);
        var notifier = Database.Get<Portal.Core.Notifications.ChangeNotifier>();
        var cut = RenderAs("User");
        cut.WaitForAssertion(() => Assert.Contains("Checkout down", cut.Find("#record-title").TextContent));

        foreach (var id in new[] { other.Id, _caseId, other.Id })
            cut.Render(p => p.Add(x => x.ObjectName, "Case").Add(x => x.Id, id));
        cut.WaitForAssertion(() => Assert.Contains("Refunds slow", cut.Find("#record-title").TextContent));
        Assert.Equal(1, notifier.SubscriberCount<RecordChange>());
        Assert.Equal(1, notifier.SubscriberCount<Portal.Core.Notifications.RecordLinksChanged>() - PanelsListeningToLinks(cut));

        // the page follows the record it now shows, not the first one
        await Database.Get<RecordStore>().UpdateAsync("Case", other.Id, JsonDocument.Parse("""{"Subject":"Refunds stopped"}""").RootElement, ChangeActor.System);
        cut.WaitForAssertion(() => Assert.Contains("Refunds stopped", cut.Find("#record-title").TextContent));

        await DisposeComponentsAsync();
        Assert.Equal(0, notifier.SubscriberCount<RecordChange>());
        Assert.Equal(0, notifier.SubscriberCount<Portal.Core.Notifications.RecordLinksChanged>());
    }

    [Fact]
    public async Task TheActMenuOffersNoAcknowledgeOrResolveOnAResolvedIncident()
    {
        await Database.Get<IncidentLinks>().LinkAsync(_caseId, new IncidentState("Q9RS", 38, "Refunds stuck", "resolved", "low", null), "test");
        this.SignIn(_accounts["User"]);
        var popovers = Render<MudBlazor.MudPopoverProvider>();
        var cut = Render<RecordPage>(p => p.Add(x => x.ObjectName, "Case").Add(x => x.Id, _caseId));

        List<string> MenuOf(string incidentId)
        {
            cut.WaitForElement($"[aria-label='Act on {incidentId}'] button").Click();
            var items = popovers.WaitForElements(".mud-popover-open .mud-menu-item");
            var labels = items.Select(i => i.TextContent.Trim()).ToList();
            cut.Find($"[aria-label='Act on {incidentId}'] button").Click(); // closes it again
            popovers.WaitForAssertion(() => Assert.Empty(popovers.FindAll(".mud-popover-open .mud-menu-item")));
            return labels;
        }

        var triggered = MenuOf("Q2CK");
        Assert.Contains("Acknowledge", triggered);
        Assert.Contains("Resolve", triggered);
        var resolved = MenuOf("Q9RS");
        Assert.DoesNotContain("Acknowledge", resolved);
        Assert.DoesNotContain("Resolve", resolved);
        Assert.DoesNotContain("Escalate", resolved);
        Assert.Contains("Add note", resolved);
    }

    // the pending-actions panel and the Status Dashboard on the page listen to links too, once each
    private static int PanelsListeningToLinks(IRenderedComponent<RecordPage> cut) =>
        cut.FindComponents<PendingActionsPanel>().Count + cut.FindComponents<Portal.Components.Pages.StatusDashboard.StatusDashboardPanel>().Count;
}
