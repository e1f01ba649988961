using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.Records;
using Portal.Core.Security;
using static Microsoft.Playwright.Assertions;

namespace Portal.Tests.EndToEnd;

/// Issue 19, small slips seen only in a browser: the theme after a reload, and a phone-width screen.
[Collection(BrowserCollection.Name)]
public sealed class LayoutTests(BrowserFixture browser)
{
    private string BaseUrl => browser.Portal.BaseUrl;

    [Fact]
    public async Task TheChosenThemeSurvivesAReload()
    {
        await browser.Portal.Services.GetRequiredService<AccountService>().CreateAsync("night-owl@portal.test", "Night-Passw0rd", Roles.Auditor);
        var page = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(page, BaseUrl, "night-owl@portal.test", "Night-Passw0rd");
        await BrowserFixture.WaitForInteractiveAsync(page);
        await Expect(page.Locator("#theme-toggle")).ToHaveAttributeAsync("data-dark", "false"); // headless Chromium prefers light
        Assert.Equal("rgb(255, 255, 255)", await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor"));

        await page.ClickAsync("#theme-toggle");
        await Expect(page.Locator("#theme-toggle")).ToHaveAttributeAsync("data-dark", "true");
        await page.ReloadAsync();
        await BrowserFixture.WaitForInteractiveAsync(page);

        await Expect(page.Locator("#theme-toggle")).ToHaveAttributeAsync("data-dark", "true");
        Assert.NotEqual("rgb(255, 255, 255)", await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor"));
    }

    [Fact]
    public async Task APhoneWidthRecordPageFitsTheScreenWithTheWholeHeader()
    {
        var services = browser.Portal.Services;
        await services.GetRequiredService<AccountService>().CreateAsync("phone-agent@portal.test", "Phone-Passw0rd", Roles.Manager);
        var record = await services.GetRequiredService<RecordStore>().CreateAsync("Case",
            JsonDocument.Parse("""{"Subject":"Checkout fails on phones","Priority":"High","Description":"Seen on a narrow screen"}""").RootElement,
            ChangeActor.System);
        // an impacted business service on the record page's Status Dashboard, with its incidents button
        await services.GetRequiredService<Portal.Core.Sandbox.SandboxPagerDuty>().CreateIncidentAsync(
            new Portal.Core.PagerDuty.PdCreateIncident("Card payments fail on phones", "PSBXPAY", PriorityId: "PSBXP2"), Portal.Core.Sandbox.SandboxAccount.Users[0].Email, default);

        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 360, Height = 800 } });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        await BrowserFixture.SignInAsync(page, BaseUrl, "phone-agent@portal.test", "Phone-Passw0rd");
        await BrowserFixture.GotoInteractiveAsync(page, $"{BaseUrl}/records/Case/{record.Id}");
        await Expect(page.Locator("#record-title")).ToContainTextAsync("Checkout fails on phones");
        await Expect(page.Locator(".business-service.impacted .toggle-incidents").First).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ArtifactPath("record-phone.png"), FullPage = true });

        var wider = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && getComputedStyle(e).visibility !== 'hidden')
                .filter(e => !e.closest('.mud-drawer') && !e.closest('[hidden]'))
                .slice(0, 8).map(e => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)
            """);
        Assert.True(wider.Length == 0, "wider than the screen: " + string.Join(" | ", wider));
        Assert.Equal(360, await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"));
        foreach (var control in new[] { "#theme-toggle", "#change-password-link", "#sign-out" })
        {
            var box = await page.Locator(control).BoundingBoxAsync();
            Assert.True(box is not null && box.X >= 0 && box.X + box.Width <= 360, $"{control} is outside the screen: {box?.X} + {box?.Width}");
        }
    }
}
