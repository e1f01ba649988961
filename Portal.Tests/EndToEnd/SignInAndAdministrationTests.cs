using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.Security;
using Portal.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Portal.Tests.EndToEnd;

[Collection(BrowserCollection.Name)]
public sealed class SignInAndAdministrationTests(BrowserFixture browser)
{
    private string BaseUrl => browser.Portal.BaseUrl;

    [Fact]
    public async Task FirstRunSetUpCreatesTheAdministrator()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(browser.FreshPortal.BaseUrl + "/login");
        await page.WaitForURLAsync(url => url.EndsWith("/setup"));
        await page.FillAsync("#email", "owner@portal.test");
        await page.FillAsync("#password", "Owner-Passw0rd");
        await page.FillAsync("#confirm", "Owner-Passw0rd");
        await page.ClickAsync("#create-admin");

        await Expect(page.Locator("#home-role")).ToHaveTextAsync("Administrator");
        await Expect(page.Locator("#signed-in-user")).ToContainTextAsync("owner@portal.test");
        await page.GotoAsync(browser.FreshPortal.BaseUrl + "/setup");
        await page.WaitForURLAsync(url => !url.Contains("/setup"));
    }

    [Fact]
    public async Task WrongPasswordIsRefusedWithAMessage()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(BaseUrl + "/login");
        await page.FillAsync("#email", PortalAppFactory.AdminEmail);
        await page.FillAsync("#password", "not-the-password");
        await page.ClickAsync("#sign-in");
        await Expect(page.Locator("#login-error")).ToContainTextAsync(Portal.Components.Pages.Account.LoginPage.FailedMessage);
    }

    [Fact]
    public async Task SignOutButtonSendsItsAntiforgeryTokenAndSignsOut()
    {
        var accounts = browser.Portal.Services.GetRequiredService<AccountService>();
        var user = await accounts.CreateAsync("leaver@portal.test", "Leaver-Passw0rd", Roles.Auditor);
        var page = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(page, BaseUrl, user.Email, "Leaver-Passw0rd");
        await BrowserFixture.WaitForInteractiveAsync(page);

        await page.ClickAsync("#sign-out");
        await page.WaitForURLAsync(url => url.EndsWith("/login"));
        var me = await page.APIRequest.GetAsync(BaseUrl + "/api/me");
        Assert.Equal(401, me.Status);
    }

    [Fact]
    public async Task UserDoesNotSeeAdministrationAndIsRefusedAtItsAddress()
    {
        var accounts = browser.Portal.Services.GetRequiredService<AccountService>();
        var user = await accounts.CreateAsync("agent@portal.test", "Agent-Passw0rd", Roles.User);
        var page = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(page, BaseUrl, user.Email, "Agent-Passw0rd");

        await Expect(page.Locator("#home-role")).ToHaveTextAsync("User");
        await Expect(page.Locator("#nav-menu")).ToContainTextAsync("Home");
        await Expect(page.Locator("#nav-menu a[href='/admin']")).ToHaveCountAsync(0);

        await page.GotoAsync(BaseUrl + "/admin");
        await Expect(page.Locator("#not-authorized")).ToContainTextAsync("Not authorized");
    }

    [Fact]
    public async Task AnAdministrationTabOpenedBeforeADemotionCreatesNoToken()
    {
        var accounts = browser.Portal.Services.GetRequiredService<AccountService>();
        var demoted = await accounts.CreateAsync("demoted@portal.test", "Demoted-Passw0rd", Roles.Administrator);
        var page = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(page, BaseUrl, demoted.Email, "Demoted-Passw0rd");
        await BrowserFixture.GotoInteractiveAsync(page, BaseUrl + "/admin");
        await page.GetByRole(AriaRole.Tab, new() { Name = "API tokens" }).ClickAsync();

        // the tab stays open while another Administrator demotes and disables the account
        await accounts.SetRoleAsync(demoted.Id, Roles.User);
        await accounts.SetDisabledAsync(demoted.Id, true);
        await page.FillAsync("#new-token-name", "left-behind");
        await page.ClickAsync("#create-token");

        await Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("Your account was changed or disabled after you signed in");
        await Expect(page.Locator("#created-token")).ToHaveCountAsync(0);
        Assert.DoesNotContain(await browser.Portal.Services.GetRequiredService<ApiTokenService>().ListAsync(), t => t.Name == "left-behind");
    }

    [Fact]
    public async Task AdministratorCreatesATokenThatWorksUntilRevoked()
    {
        var page = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(page, BaseUrl, PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);
        await BrowserFixture.GotoInteractiveAsync(page, BaseUrl + "/admin");
        await page.GetByRole(AriaRole.Tab, new() { Name = "API tokens" }).ClickAsync();

        await page.FillAsync("#new-token-name", "deploy-bot");
        await page.ClickAsync("#create-token");
        var secret = (await page.Locator("#created-token-secret").TextContentAsync())!.Trim();
        Assert.StartsWith("ptl_", secret);
        await page.ScreenshotAsync(new() { Path = BrowserFixture.ArtifactPath("administration-tokens.png") });

        using var api = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        var me = await api.GetStringAsync("/api/me");
        Assert.Contains("\"name\":\"deploy-bot\"", me);
        Assert.Contains("\"kind\":\"token\"", me);

        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke deploy-bot" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke", Exact = true }).ClickAsync();
        await Expect(page.Locator("#tokens-grid")).ToContainTextAsync("Revoked");
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/me")).StatusCode);

        await page.ReloadAsync();
        await BrowserFixture.WaitForInteractiveAsync(page);
        await page.GetByRole(AriaRole.Tab, new() { Name = "API tokens" }).ClickAsync();
        await Expect(page.Locator("#tokens-grid")).ToContainTextAsync("deploy-bot");
        Assert.DoesNotContain(secret, await page.ContentAsync());
    }
}
