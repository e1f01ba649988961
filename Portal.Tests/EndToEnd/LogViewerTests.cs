using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.Links;
using Portal.Core.Records;
using Portal.Core.Rulesets;
using Portal.Core.Security;
using Portal.Tests.Infrastructure;
using Portal.Tests.PagerDuty;
using Portal.Tests.Rulesets;
using static Microsoft.Playwright.Assertions;

namespace Portal.Tests.EndToEnd;

[Collection(BrowserCollection.Name)]
public sealed class LogViewerTests(BrowserFixture browser)
{
    /// Ops after an outage: filter to errors, open one, follow its chain, dry-run the change again, and retry the
    /// dead letter once PagerDuty is back.
    [Fact]
    public async Task OpsFollowAFailureToItsCauseAndRetryItOncePagerDutyRecovers()
    {
        await using var pagerDuty = await FakePagerDutyServer.StartAsync();
        using var portal = new PortalAppFactory(settings: new Dictionary<string, string?>
        {
            ["PagerDuty:ApiKey"] = FakePagerDutyServer.DefaultApiKey,
            ["PagerDuty:BaseUrl"] = pagerDuty.BaseUrl.ToString(),
            ["PagerDuty:FromEmail"] = FakePagerDutyServer.IntegrationEmail,
            ["Dispatch:MaxAttempts"] = "1",
        });
        var baseUrl = portal.StartKestrel();
        var services = portal.Services;
        await services.GetRequiredService<AccountService>().CreateAsync("ops@portal.test", "Ops-Passw0rd!", Roles.User);
        await services.GetRequiredService<RulesetStore>().SaveAsync(RulesWiringTests.ContractExample, "admin");
        pagerDuty.AnswerNext(FakeAnswer.ServerError);
        var record = await services.GetRequiredService<RecordStore>().CreateAsync("Case",
            JsonDocument.Parse("""{"Subject":"Checkout returns 502","Priority":"High"}""").RootElement, new ChangeActor("agent"));

        var page = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(page, baseUrl, "ops@portal.test", "Ops-Passw0rd!");
        await BrowserFixture.GotoInteractiveAsync(page, baseUrl + "/logs");
        await BrowserFixture.ChooseAsync(page, "#log-level", "Error");
        var failure = page.Locator("#log-grid tbody tr").Filter(new() { HasTextString = "createIncident failed for good" });
        await Expect(failure).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        await Expect(page.Locator("#log-grid tbody tr").Filter(new() { HasTextString = "Rule Page support" })).ToHaveCountAsync(0);

        await BrowserFixture.ChooseAsync(page, "#log-range", "Between…");
        await page.FillAsync("#log-from", "2020-01-01T00:00");
        await page.FillAsync("#log-to", "2020-01-02T00:00");
        await Expect(page.GetByText("No log entry matches.")).ToBeVisibleAsync();
        await page.FillAsync("#log-from", "2020-01-03T00:00");
        await Expect(page.Locator("#log-range-error")).ToContainTextAsync("The end of the time range is before its start");
        await BrowserFixture.ChooseAsync(page, "#log-range", "Last hour");
        await Expect(failure).ToHaveCountAsync(1);
        await Expect(page.Locator("#export-csv")).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("level=Error&since=20"));

        await failure.ClickAsync();
        await Expect(page.Locator("#log-detail")).ToContainTextAsync("PagerDuty answered 500");
        await Expect(page.Locator("#detail-record")).ToHaveAttributeAsync("href", $"/records/Case/{record.Id}");
        await page.ClickAsync("#follow-event");
        await Expect(page.Locator("#following")).ToBeVisibleAsync();
        var chain = page.Locator("#log-grid tbody tr");
        await Expect(chain).ToHaveCountAsync(2);
        await Expect(chain.Nth(0)).ToContainTextAsync("Rule Page support for high-priority cases matched Case");
        await Expect(chain.Nth(1)).ToContainTextAsync("createIncident failed for good");

        await chain.Nth(0).ClickAsync();
        await page.ClickAsync("#dry-run-again");
        await BrowserFixture.WaitForInteractiveAsync(page);
        await Expect(page.Locator("#dry-run-summary")).ToContainTextAsync("1 of 1 rule matches");
        await Expect(page.Locator(".dry-run-match")).ToContainTextAsync("Page support for high-priority cases");

        await BrowserFixture.GotoInteractiveAsync(page, baseUrl + "/dead-letters");
        await Expect(page.Locator("#dead-letters")).ToContainTextAsync("Internal Server Error");
        await page.GetByRole(AriaRole.Button, new() { Name = "Retry createIncident" }).ClickAsync();
        await Expect(page.Locator("#no-dead-letters")).ToBeVisibleAsync();
        var links = services.GetRequiredService<IncidentLinks>();
        for (var i = 0; i < 100 && (await links.ForRecordAsync(record.Id)).Count == 0; i++) await Task.Delay(100);
        Assert.Equal(Assert.Single(pagerDuty.Incidents).Id, Assert.Single(await links.ForRecordAsync(record.Id)).IncidentId);
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ArtifactPath("dead-letters-retried.png"), FullPage = true });
    }
}
