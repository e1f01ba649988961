using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Logging;
using Portal.Core.Security;
using Portal.Core.Settings;
using static Microsoft.Playwright.Assertions;

namespace Portal.Tests.EndToEnd;

[Collection(BrowserCollection.Name)]
public sealed class LoggerTests(BrowserFixture browser)
{
    [Theory]
    [InlineData("0", "0 days is not a storage interval: keep entries between 1 and 3650 days.")]
    [InlineData("-3", "-3 days is not a storage interval: keep entries between 1 and 3650 days.")]
    [InlineData("", "Enter how many days to keep entries: 1 to 3650.")]
    public async Task ARetentionOfZeroNegativeOrNothingIsRefusedBesideTheFieldAndNotSaved(string typed, string message)
    {
        var services = browser.Portal.Services;
        var email = $"logan{typed.Replace("-", "minus")}@portal.test";
        await services.GetRequiredService<AccountService>().CreateAsync(email, "Logan-Passw0rd-1", Roles.Administrator);
        var settings = services.GetRequiredService<SettingsStore>();
        var before = await settings.GetAsync(LoggerSettings.Key, () => new LoggerSettings());
        var page = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(page, browser.Portal.BaseUrl, email, "Logan-Passw0rd-1");
        await BrowserFixture.GotoInteractiveAsync(page, browser.Portal.BaseUrl + "/config/logger");

        await page.FillAsync("#logger-days", typed);
        await page.ClickAsync("#save-logger");

        var field = page.Locator(".mud-input-control", new() { Has = page.Locator("#logger-days") });
        await Expect(field).ToContainTextAsync(message);
        await Expect(page.GetByText("Logger settings saved.")).ToHaveCountAsync(0);
        Assert.Equal(before, await settings.GetAsync(LoggerSettings.Key, () => new LoggerSettings()));
    }
}
