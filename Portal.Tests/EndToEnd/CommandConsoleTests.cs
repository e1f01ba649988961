using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.Records;
using Portal.Core.Sandbox;
using Portal.Core.Security;
using static Microsoft.Playwright.Assertions;

namespace Portal.Tests.EndToEnd;

[Collection(BrowserCollection.Name)]
public sealed class CommandConsoleTests(BrowserFixture browser)
{
    private string BaseUrl => browser.Portal.BaseUrl;

    /// The panel re-renders when PagerDuty's events arrive, which can close an open menu: open it again, a few times at most.
    internal static async Task OpenActionAsync(IPage page, ILocator incident, string action)
    {
        for (var attempt = 1; ; attempt++)
        {
            await incident.Locator(".console-act").ClickAsync();
            var item = page.Locator(".mud-popover-open .mud-menu-item, .mud-popover-open .mud-list-item").Filter(new() { HasTextString = action }).First;
            try
            {
                await item.ClickAsync(new() { Timeout = 3000 });
                await page.Locator("#console-confirm").WaitForAsync(new() { Timeout = 3000 });
                return;
            }
            catch (TimeoutException) when (attempt < 3)
            {
                await page.Keyboard.PressAsync("Escape");
            }
        }
    }

    [Fact]
    public async Task AgentCreatesAnIncidentFromTheCaseAcknowledgesItAndAddsANote()
    {
        var services = browser.Portal.Services;
        await services.GetRequiredService<AccountService>().CreateAsync("connie@portal.test", "Connie-Passw0rd", Roles.User);
        var record = await services.GetRequiredService<RecordStore>().CreateAsync("Case",
            System.Text.Json.JsonDocument.Parse("""{"Subject":"Invoices fail to render","Priority":"Low"}""").RootElement, new ChangeActor("seed"));

        var page = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(page, BaseUrl, "connie@portal.test", "Connie-Passw0rd");
        await BrowserFixture.GotoInteractiveAsync(page, $"{BaseUrl}/records/Case/{record.Id}");
        await page.ClickAsync("#open-create-incident");
        await Expect(page.Locator("#incident-title")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^Case [0-9]{8} Invoices fail to render$"));
        await page.ClickAsync("#create-incident");
        await Expect(page.GetByText("Choose the PagerDuty service.")).ToBeVisibleAsync();
        await BrowserFixture.ChooseAsync(page, "#incident-service", "Payments");
        await BrowserFixture.ChooseAsync(page, "#incident-priority", "P2");
        await page.ClickAsync("#create-incident");

        var linked = page.Locator("#linked-incidents .linked-incident").Filter(new() { HasTextString = "Invoices fail to render" });
        await Expect(linked).ToContainTextAsync("triggered", new() { Timeout = 15_000 });
        await Expect(linked).ToContainTextAsync("Payments");

        await OpenActionAsync(page, linked, "Acknowledge");
        await page.ClickAsync("#console-confirm");
        await Expect(linked).ToContainTextAsync("acknowledged", new() { Timeout = 15_000 });

        await OpenActionAsync(page, linked, "Add note");
        await page.FillAsync("#console-text", "Engineering is rolling back the renderer.");
        await page.ClickAsync("#console-confirm");
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ArtifactPath("command-console.png"), FullPage = true });

        var incidentId = (await services.GetRequiredService<RecordStore>().GetAsync("Case", record.Id)).Incidents.Single().IncidentId;
        for (var i = 0; i < 100 && (await services.GetRequiredService<SandboxPagerDuty>().ListNotesAsync(incidentId, default)).Count == 0; i++) await Task.Delay(100);
        Assert.Contains(await services.GetRequiredService<SandboxPagerDuty>().ListNotesAsync(incidentId, default),
            n => n.Content == "Engineering is rolling back the renderer.");

        await Expect(linked.Locator(".incident-people")).ToContainTextAsync("Assigned to");
        await linked.Locator(".console-timeline").ClickAsync();
        var timeline = linked.Locator(".incident-timeline");
        await Expect(timeline).ToContainTextAsync("Engineering is rolling back the renderer.");
        await Expect(timeline).ToContainTextAsync("Acknowledged by");
        await Expect(timeline).ToContainTextAsync("Triggered through the API");
    }

    [Fact]
    public async Task AuditorSeesTheConsoleButCannotAct()
    {
        await browser.Portal.Services.GetRequiredService<AccountService>().CreateAsync("otto@portal.test", "Otto-Passw0rd-1", Roles.Auditor);
        var record = await browser.Portal.Services.GetRequiredService<RecordStore>().CreateAsync("Case",
            System.Text.Json.JsonDocument.Parse("""{"Subject":"Read only"}""").RootElement, new ChangeActor("seed"));
        var page = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(page, BaseUrl, "otto@portal.test", "Otto-Passw0rd-1");
        await BrowserFixture.GotoInteractiveAsync(page, $"{BaseUrl}/records/Case/{record.Id}");
        await Expect(page.Locator("#command-console")).ToBeVisibleAsync();
        await Expect(page.Locator("#open-create-incident")).ToHaveCountAsync(0);
        await Expect(page.Locator(".console-act")).ToHaveCountAsync(0);
    }
}
