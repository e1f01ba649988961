using Microsoft.Playwright;
using Portal.Tests.Infrastructure;
using Portal.Tests.PagerDuty;
using static Microsoft.Playwright.Assertions;

namespace Portal.Tests.EndToEnd;

[Collection(BrowserCollection.Name)]
public sealed class ConnectionTests(BrowserFixture browser)
{
    [Fact]
    public async Task AdministratorEntersAKeyTestsItAndGoesLive()
    {
        await using var pagerDuty = await FakePagerDutyServer.StartAsync();
        using var portal = new PortalAppFactory(settings: new Dictionary<string, string?>
        {
            ["PagerDuty:BaseUrl"] = pagerDuty.BaseUrl.ToString(),
            ["PagerDuty:FromEmail"] = FakePagerDutyServer.IntegrationEmail,
        });
        var baseUrl = portal.StartKestrel();
        var page = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(page, baseUrl, PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);
        await BrowserFixture.GotoInteractiveAsync(page, baseUrl + "/config/summary");
        await Expect(page.Locator("#connection-mode")).ToContainTextAsync("Sandbox");

        await page.FillAsync("#api-key", "not-the-right-key");
        await page.ClickAsync("#test-connection");
        await Expect(page.Locator("#connection-check")).ToContainTextAsync("Authentication failed");
        // a key that fails its test is not saved, and nothing says the portal is live
        await page.ClickAsync("#save-connection");
        await Expect(page.GetByText("Not saved: the key failed its test")).ToBeVisibleAsync();
        await Expect(page.Locator("#connection-mode")).ToContainTextAsync("Sandbox");
        await Expect(page.GetByText("Connected: PagerDuty is live", new() { Exact = false })).ToHaveCountAsync(0);

        await page.FillAsync("#api-key", FakePagerDutyServer.DefaultApiKey);
        await page.ClickAsync("#test-connection");
        await Expect(page.Locator("#connection-check")).ToContainTextAsync("OK");
        await page.ClickAsync("#save-connection");
        await Expect(page.Locator("#connection-mode")).ToContainTextAsync("Live");
        await Expect(page.Locator("#connection-mode")).ToContainTextAsync(FakePagerDutyServer.DefaultApiKey[^4..]);
        await Expect(page.Locator("#pagerduty-mode")).ToHaveTextAsync("PagerDuty: Live");
        Assert.DoesNotContain(FakePagerDutyServer.DefaultApiKey, await page.ContentAsync());
        Assert.All(pagerDuty.Requests, r => Assert.Equal("Token token=" + (r.Headers["Authorization"].EndsWith(FakePagerDutyServer.DefaultApiKey) ? FakePagerDutyServer.DefaultApiKey : "not-the-right-key"), r.Headers["Authorization"]));
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ArtifactPath("summary-live.png"), FullPage = true });
    }
}
