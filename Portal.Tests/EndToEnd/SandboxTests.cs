using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.Rulesets;
using Portal.Core.Security;
using Portal.Tests.Rulesets;
using static Microsoft.Playwright.Assertions;

namespace Portal.Tests.EndToEnd;

[Collection(BrowserCollection.Name)]
public sealed class SandboxTests(BrowserFixture browser)
{
    private string BaseUrl => browser.Portal.BaseUrl;

    [Fact]
    public async Task NewUserWithoutAKeySeesTheSandboxIncidentLinkedToAHighPriorityCase()
    {
        var services = browser.Portal.Services;
        var (_, current) = await services.GetRequiredService<RulesetStore>().CurrentAsync();
        if (current.Rulesets.Count == 0 || current.Rulesets.All(r => r.Name != "SFDC > PD"))
            await services.GetRequiredService<RulesetStore>().SaveAsync(RulesWiringTests.ContractExample, "admin");
        await services.GetRequiredService<AccountService>().CreateAsync("sandy@portal.test", "Sandy-Passw0rd", Roles.User);

        var page = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(page, BaseUrl, "sandy@portal.test", "Sandy-Passw0rd");
        await Expect(page.Locator("#pagerduty-mode")).ToHaveTextAsync("PagerDuty: Sandbox");
        await BrowserFixture.GotoInteractiveAsync(page, BaseUrl + "/records/Case/new");
        await page.FillAsync("#field-Subject", "Checkout returns 502 for everyone");
        await page.FillAsync("#field-Priority", "High");
        await page.ClickAsync("#save-record");

        await Expect(page.Locator("#linked-incidents")).ToContainTextAsync("Checkout returns 502 for everyone", new() { Timeout = 15_000 });
        await Expect(page.Locator("#linked-incidents")).ToContainTextAsync("triggered");
        await Expect(page.Locator("#linked-incidents")).ToContainTextAsync("Checkout");
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ArtifactPath("sandbox-linked-incident.png"), FullPage = true });

        await BrowserFixture.GotoInteractiveAsync(page, BaseUrl + "/sandbox");
        var row = page.Locator("#sandbox-incidents tr").Filter(new() { HasTextString = "Checkout returns 502 for everyone" });
        await row.GetByRole(AriaRole.Button).Filter(new() { HasTextString = "Acknowledge" }).ClickAsync();
        await Expect(row).ToContainTextAsync("acknowledged");
    }
}
