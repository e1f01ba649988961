using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.PagerDuty;
using Portal.Core.Records;
using Portal.Core.Sandbox;
using Portal.Core.Security;
using Portal.Tests.Infrastructure;
using Portal.Tests.PagerDuty;
using static Microsoft.Playwright.Assertions;

namespace Portal.Tests.EndToEnd;

[Collection(BrowserCollection.Name)]
public sealed class StatusDashboardTests(BrowserFixture browser)
{
    private string BaseUrl => browser.Portal.BaseUrl;

    [Fact]
    public async Task AgentSeesTheImpactedServiceFollowsItsStatusUpdateAndLinksTheIncidentToTheCase()
    {
        var services = browser.Portal.Services;
        var sandbox = services.GetRequiredService<SandboxPagerDuty>();
        var responder = SandboxAccount.Users[1].Email;
        await services.GetRequiredService<AccountService>().CreateAsync("dash@portal.test", "Dash-Passw0rd", Roles.User);
        var record = await services.GetRequiredService<RecordStore>().CreateAsync("Case",
            JsonDocument.Parse("""{"Subject":"Customer cannot receive password reset e-mails"}""").RootElement, new ChangeActor("seed"));
        var incident = await sandbox.CreateIncidentAsync(new PdCreateIncident("E-mail delivery delayed by 40 minutes", "PSBXMAIL", PriorityId: "PSBXP1"),
            responder, default);

        var page = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(page, BaseUrl, "dash@portal.test", "Dash-Passw0rd");
        await BrowserFixture.GotoInteractiveAsync(page, $"{BaseUrl}/status-dashboard?object=Case&record={record.Id}");
        await Expect(page.Locator("#status-dashboard-record")).ToContainTextAsync("Customer cannot receive password reset e-mails");

        var notifications = page.Locator(".business-service").Filter(new() { HasTextString = "Customer notifications" });
        await Expect(notifications).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("\\bimpacted\\b"), new() { Timeout = 15_000 });
        var shown = notifications.Locator($".impacting-incident[data-incident-id='{incident.Id}']");
        await Expect(shown).ToContainTextAsync("E-mail delivery delayed by 40 minutes");
        await Expect(shown).ToContainTextAsync("P1");
        await Expect(shown).ToContainTextAsync("No status update yet.");

        // the on-call responder publishes a status update in (sandbox) PagerDuty: it appears without a reload
        await sandbox.AddStatusUpdateAsync(incident.Id, "Mail queues are draining; resets arrive within 10 minutes.", responder, default);
        await Expect(shown.Locator(".latest-status-update")).ToContainTextAsync("Mail queues are draining; resets arrive within 10 minutes.",
            new() { Timeout = 15_000 });

        await shown.Locator(".link-to-record").ClickAsync();
        await Expect(shown.Locator(".link-to-record")).ToContainTextAsync("Linked to this record");
        await Expect(shown.Locator(".link-to-record")).ToBeDisabledAsync();
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ArtifactPath("status-dashboard.png"), FullPage = true });

        var linked = (await services.GetRequiredService<RecordStore>().GetAsync("Case", record.Id)).Incidents;
        Assert.Equal(incident.Id, Assert.Single(linked).IncidentId);
    }

    [Fact]
    public async Task WhenPagerDutyCannotBeReadTheDashboardSaysSoSinceWhenAndGreysTheLastGoodRead()
    {
        await using var pagerDuty = await FakePagerDutyServer.StartAsync();
        pagerDuty.BusinessServices.Add(new FakeBusinessService("PBS0001", "Billing"));
        using var portal = new PortalAppFactory(settings: new Dictionary<string, string?>
        {
            ["PagerDuty:ApiKey"] = FakePagerDutyServer.DefaultApiKey, ["PagerDuty:BaseUrl"] = pagerDuty.BaseUrl.ToString(),
            ["PagerDuty:FromEmail"] = FakePagerDutyServer.IntegrationEmail, ["StatusDashboard:MinRefreshInterval"] = "00:00:00.1",
        });
        var baseUrl = portal.StartKestrel();
        var page = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(page, baseUrl, PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);
        await BrowserFixture.GotoInteractiveAsync(page, baseUrl + "/status-dashboard");
        await Expect(page.Locator("#business-services")).ToContainTextAsync("Billing");
        await Expect(page.Locator("#impacted-count")).Not.ToContainTextAsync("could not be read");

        // PagerDuty stops answering: never a green "all operational", but what failed, since when, and the last good read greyed
        pagerDuty.AnswerNext(FakeAnswer.Error(503, "Service Unavailable", 2001), 50);
        await page.ClickAsync("#refresh-status-dashboard");
        await Expect(page.Locator("#impacted-count")).ToHaveTextAsync("PagerDuty could not be read");
        await Expect(page.Locator("#status-dashboard-failing-since")).ToContainTextAsync("PagerDuty could not be read since");
        await Expect(page.Locator("#status-dashboard-read-at")).ToContainTextAsync("Last good read of PagerDuty at");
        await Expect(page.Locator("#business-services")).ToHaveAttributeAsync("aria-disabled", "true");
        await Expect(page.Locator("#business-services")).ToContainTextAsync("Billing");
        await Expect(page.GetByText("All business services operational")).ToHaveCountAsync(0);
    }
}
