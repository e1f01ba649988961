using System.Text.Json;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Components.Pages.StatusDashboard;
using Portal.Core.Dispatch;
using Portal.Core.Links;
using Portal.Core.PagerDuty;
using Portal.Core.Records;
using Portal.Core.Sandbox;
using Portal.Core.StatusDashboard;
using Portal.Tests.Infrastructure;
using Portal.Tests.PagerDuty;

namespace Portal.Tests.Components.StatusDashboard;

public sealed class StatusDashboardPanelTests : PortalComponentTest
{
    private static readonly string Responder = SandboxAccount.Users[0].Email;
    private TestDatabase _db = default!;
    private FakePagerDutyServer? _pagerDuty;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _db.DisposeAsync();
        if (_pagerDuty is not null) await _pagerDuty.DisposeAsync();
    }

    private void Use(TestDatabase db)
    {
        _db = db;
        Services.AddSingleton(db.Get<BusinessImpacts>());
        Services.AddSingleton(db.Get<ConsoleActions>());
        Services.AddSingleton(db.Get<IncidentLinks>());
        Services.AddSingleton(db.Get<Portal.Core.Notifications.ChangeNotifier>());
    }

    private async Task<PdIncident> PaymentsIncidentAsync()
    {
        var incident = await _db.Get<SandboxPagerDuty>().CreateIncidentAsync(
            new PdCreateIncident("Card payments fail", "PSBXPAY", PriorityId: "PSBXP2"), Responder, default);
        await _db.DrainEventsAsync();
        return incident;
    }

    private async Task<string> CaseAsync() =>
        (await _db.Get<RecordStore>().CreateAsync("Case", JsonDocument.Parse("""{"Subject":"Cannot pay"}""").RootElement, ChangeActor.System)).Id;

    private IRenderedComponent<StatusDashboardPanel> RenderAs(string role, string? recordId = null, bool canWrite = true)
    {
        var auth = AddAuthorization();
        auth.SetAuthorized("agent@portal.test");
        auth.SetRoles(role);
        return RenderPanel(recordId, canWrite);
    }

    private IRenderedComponent<StatusDashboardPanel> RenderPanel(string? recordId, bool canWrite = true)
    {
        return Render<StatusDashboardPanel>(p => p.Add(x => x.ObjectName, recordId is null ? null : "Case").Add(x => x.RecordId, recordId)
            .Add(x => x.CanWrite, canWrite));
    }

    [Fact]
    public async Task SaysSoWhenPagerDutyHasNoBusinessServices()
    {
        Use(await TestDatabase.WithPagerDutyAsync());
        await using (var db = await _db.ContextAsync()) await db.SandboxBusinessServices.ExecuteDeleteAsync();

        var cut = RenderAs("User");

        cut.WaitForAssertion(() => Assert.Contains("no business services", cut.Find("#no-business-services").TextContent));
        Assert.Empty(cut.FindAll(".business-service"));
    }

    [Fact]
    public async Task ListsTheImpactedServicesFirstAndMarkedWithTheirIncidents()
    {
        Use(await TestDatabase.WithPagerDutyAsync());
        var incident = await PaymentsIncidentAsync();

        var cut = RenderAs("User");

        cut.WaitForAssertion(() => Assert.Equal(4, cut.FindAll(".business-service").Count));
        var services = cut.FindAll(".business-service");
        Assert.Equal([true, true, false, false], services.Select(s => s.ClassList.Contains("impacted")));
        Assert.Contains("Impacted", services[0].TextContent);
        Assert.Contains("Operational", services[3].TextContent);
        Assert.Equal("2 of 4 impacted", cut.Find("#impacted-count").TextContent.Trim());
        var shown = cut.FindAll(".business-service.impacted .impacting-incident");
        Assert.Equal(2, shown.Count);
        Assert.All(shown, i =>
        {
            Assert.Equal(incident.Id, i.GetAttribute("data-incident-id"));
            Assert.Contains($"#{incident.Number}", i.TextContent);
            Assert.Contains("Card payments fail", i.TextContent);
            Assert.Contains("P2", i.TextContent);
            Assert.Contains("No status update yet.", i.TextContent);
        });
    }

    [Fact]
    public async Task ShowsTheNewestThreeIncidentsOfAServiceUntilAskedForAll()
    {
        Use(await TestDatabase.WithPagerDutyAsync());
        for (var i = 0; i < 4; i++)
        {
            _db.Clock.Advance(TimeSpan.FromMinutes(1));
            await _db.Get<SandboxPagerDuty>().CreateIncidentAsync(new PdCreateIncident($"Outage {i}", "PNE3JZM"), Responder, default);
        }
        await _db.DrainEventsAsync();
        var cut = RenderAs("User");
        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll(".business-service.impacted .impacting-incident").Count));
        Assert.Equal(["Outage 3", "Outage 2", "Outage 1"], cut.FindAll(".impacting-incident span.mud-typography-body2").Select(e => e.TextContent));

        cut.Find(".show-all-incidents").Click();

        cut.WaitForAssertion(() => Assert.Equal(4, cut.FindAll(".impacting-incident").Count));
        Assert.Empty(cut.FindAll(".show-all-incidents"));
    }

    [Fact]
    public async Task ShowsANewStatusUpdateWithoutReloading()
    {
        Use(await TestDatabase.WithPagerDutyAsync());
        var incident = await PaymentsIncidentAsync();
        var cut = RenderAs("User");
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll(".impacting-incident").Count));

        _db.Clock.Advance(TimeSpan.FromMinutes(2));
        await _db.Get<SandboxPagerDuty>().AddStatusUpdateAsync(incident.Id, "Card payments work again for most customers.", Responder, default);
        await _db.DrainEventsAsync();

        cut.WaitForAssertion(() => Assert.All(cut.FindAll(".impacting-incident .latest-status-update"), u =>
            Assert.Contains($"Latest update, 2026-03-02 10:02 UTC by {Responder}: Card payments work again for most customers.",
                System.Text.RegularExpressions.Regex.Replace(u.TextContent, @"\s+", " "))));
    }

    [Fact]
    public async Task ShowsPagerDutysRefusalInItsOwnWords()
    {
        _pagerDuty = await FakePagerDutyServer.StartAsync();
        Use(await TestDatabase.WithPagerDutyAsync(new Dictionary<string, string?>
        {
            ["PagerDuty:ApiKey"] = FakePagerDutyServer.DefaultApiKey, ["PagerDuty:BaseUrl"] = _pagerDuty.BaseUrl.ToString(),
        }));
        _pagerDuty.AnswerNext(FakeAnswer.Error(402, "Account does not have the abilities to perform the action", 2014));

        var cut = RenderAs("User");

        cut.WaitForAssertion(() => Assert.Equal("PagerDuty answered 402: Account does not have the abilities to perform the action",
            cut.Find("#status-dashboard-error").TextContent.Trim()));
        Assert.Empty(cut.FindAll("#no-business-services"));
        // never a green "All business services operational" for what could not be read
        Assert.Equal("PagerDuty could not be read", cut.Find("#impacted-count").TextContent.Trim());
        Assert.Equal("PagerDuty could not be read since 2026-03-02 10:00:00 UTC.", Squeeze(cut.Find("#status-dashboard-failing-since").TextContent));
        Assert.Empty(cut.FindAll("#status-dashboard-read-at"));
    }

    [Fact]
    public async Task ShowsTheLastGoodReadGreyedWhilePagerDutyCannotBeRead()
    {
        _pagerDuty = await FakePagerDutyServer.StartAsync();
        Use(await TestDatabase.WithPagerDutyAsync(new Dictionary<string, string?>
        {
            ["PagerDuty:ApiKey"] = FakePagerDutyServer.DefaultApiKey, ["PagerDuty:BaseUrl"] = _pagerDuty.BaseUrl.ToString(),
        }));
        _pagerDuty.BusinessServices.AddRange([new("PBS0001", "Billing")]);
        await _db.Get<BusinessImpacts>().GetAsync();
        _db.Clock.Advance(TimeSpan.FromMinutes(2));
        _pagerDuty.AnswerNext(FakeAnswer.Error(503, "Service Unavailable", 2001));

        var cut = RenderAs("User");

        // the failed read and the last good one may render in separate passes: the whole state is waited for
        cut.WaitForAssertion(() =>
        {
            Assert.Equal("PagerDuty could not be read", cut.Find("#impacted-count").TextContent.Trim());
            Assert.Equal("PagerDuty could not be read since 2026-03-02 10:02:00 UTC; what is shown greyed is the last good read.",
                Squeeze(cut.Find("#status-dashboard-failing-since").TextContent));
            Assert.Equal("Last good read of PagerDuty at 10:00:00 UTC", cut.Find("#status-dashboard-read-at").TextContent.Trim());
            var services = cut.Find("#business-services");
            Assert.Contains("stale-read", services.ClassList);
            Assert.Equal("true", services.GetAttribute("aria-disabled"));
            Assert.Contains("Billing", services.TextContent);
        });
    }

    private static string Squeeze(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ").Trim();

    [Theory]
    [InlineData("Auditor", true, 0)]
    [InlineData("User", false, 0)]
    [InlineData("User", true, 2)]
    public async Task OffersToLinkOnlyWithRecordsWrite(string role, bool canWrite, int buttons)
    {
        Use(await TestDatabase.WithPagerDutyAsync());
        await PaymentsIncidentAsync();
        var caseId = await CaseAsync();

        var cut = RenderAs(role, caseId, canWrite);

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll(".impacting-incident").Count));
        Assert.Equal(buttons, cut.FindAll(".link-to-record").Count);
    }

    [Fact]
    public async Task OffersNoLinkWithoutARecord()
    {
        Use(await TestDatabase.WithPagerDutyAsync());
        await PaymentsIncidentAsync();

        var cut = RenderAs("Manager");

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll(".impacting-incident").Count));
        Assert.Empty(cut.FindAll(".link-to-record"));
    }

    [Fact]
    public async Task LinksTheIncidentToTheRecordThroughTheConsole()
    {
        Use(await TestDatabase.WithPagerDutyAsync());
        var incident = await PaymentsIncidentAsync();
        var caseId = await CaseAsync();
        // the console checks the account behind the page: a real one
        this.SignIn(await _db.AddAccountAsync(Portal.Core.Security.Roles.User, "agent@portal.test"));
        var cut = RenderPanel(caseId);
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll(".link-to-record").Count));

        cut.FindAll(".link-to-record")[0].Click();

        cut.WaitForAssertion(() => Assert.All(cut.FindAll(".link-to-record"), b =>
        {
            Assert.Contains("Linked to this record", b.TextContent);
            Assert.True(b.HasAttribute("disabled"));
        }));
        var link = Assert.Single(await _db.Get<IncidentLinks>().ForRecordAsync(caseId));
        Assert.Equal((incident.Id, incident.Number, "Card payments fail"), (link.IncidentId, link.Number, link.Title));
        // logged as the console's link is
        await _db.Get<Portal.Core.Logging.IntegrationLog>().FlushAsync();
        var logged = await _db.Get<Portal.Core.Logging.IntegrationLog>().QueryAsync(new Portal.Core.Logging.LogQuery(RecordId: caseId));
        // the case by its number, as agents know it
        var number = (await _db.Get<Portal.Core.Records.RecordStore>().GetAsync("Case", caseId)).Fields["CaseNumber"]!.GetValue<string>();
        Assert.Contains(logged.Entries, e => e.Message == $"agent@portal.test linked incident #{incident.Number} to Case {number}");
    }

    [Fact]
    public async Task MarksAnIncidentAlreadyLinkedToTheRecord()
    {
        Use(await TestDatabase.WithPagerDutyAsync());
        var incident = await PaymentsIncidentAsync();
        var caseId = await CaseAsync();
        await _db.Get<IncidentLinks>().LinkAsync(caseId, incident.ToState(), "test");

        var cut = RenderAs("User", caseId);

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll(".link-to-record").Count));
        Assert.All(cut.FindAll(".link-to-record"), b => Assert.True(b.HasAttribute("disabled")));
    }
}
