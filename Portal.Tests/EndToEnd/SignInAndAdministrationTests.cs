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
        await BrowserFixture.CreateFirstAdministratorAsync(page, browser.FreshPortal.BaseUrl, "owner@portal.test", "Owner-Passw0rd");

        await Expect(page.Locator("#home-role")).ToHaveTextAsync("Administrator");
        await Expect(page.Locator("#signed-in-user")).ToContainTextAsync("owner@portal.test");
        Assert.Equal("/", new Uri(page.Url).AbsolutePath);
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

    [Fact]
    public async Task APersonChangesTheirPasswordAndAnAdministratorResetsAndDeletesAccounts()
    {
        var accounts = browser.Portal.Services.GetRequiredService<AccountService>();
        var owner = await accounts.CreateAsync("owner-of-password@portal.test", "Owner-Passw0rd-1", Roles.User);
        var forgetful = await accounts.CreateAsync("forgetful@portal.test", "Forgot-Passw0rd-1", Roles.Manager);

        // the owner changes their own password from the header; this browser stays signed in, the old password is gone
        var page = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(page, BaseUrl, owner.Email, "Owner-Passw0rd-1");
        await BrowserFixture.WaitForInteractiveAsync(page);
        await page.ClickAsync("#change-password-link");
        await page.WaitForURLAsync(url => url.EndsWith("/account/password"));
        await page.FillAsync("#current", "Wrong-Passw0rd-1");
        await page.FillAsync("#password", "Owner-Passw0rd-2");
        await page.FillAsync("#confirm", "Owner-Passw0rd-2");
        await page.ClickAsync("#change-password");
        await Expect(page.Locator("#password-error")).ToHaveTextAsync("The current password is wrong.");
        await page.FillAsync("#current", "Owner-Passw0rd-1");
        await page.FillAsync("#password", "Owner-Passw0rd-2");
        await page.FillAsync("#confirm", "Owner-Passw0rd-2");
        await page.ClickAsync("#change-password");
        await Expect(page.Locator("#password-changed")).ToBeVisibleAsync();
        await page.ClickAsync("#password-back");
        await Expect(page.Locator("#signed-in-user")).ToContainTextAsync(owner.Email);

        // an Administrator resets another account's password, then deletes the owner's account
        var admin = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(admin, BaseUrl, PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);
        await BrowserFixture.GotoInteractiveAsync(admin, BaseUrl + "/admin");
        await admin.GetByRole(AriaRole.Button, new() { Name = $"Reset the password of {forgetful.Email}" }).ClickAsync();
        await admin.FillAsync("#reset-password", "short");
        await admin.ClickAsync("#reset-password-save");
        await Expect(admin.Locator("#reset-password-form")).ToContainTextAsync("Passwords must be at least 10 characters.");
        await admin.FillAsync("#reset-password", "Reset-Passw0rd-9");
        await admin.ClickAsync("#reset-password-save");
        await Expect(admin.Locator(".mud-snackbar")).ToContainTextAsync($"The password of {forgetful.Email} is reset");
        await Expect(admin.Locator("#reset-password-form")).ToHaveCountAsync(0);

        await admin.GetByRole(AriaRole.Button, new() { Name = $"Delete {owner.Email}" }).ClickAsync();
        await admin.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await Expect(admin.Locator(".mud-snackbar").Last).ToContainTextAsync($"{owner.Email} is deleted.");
        await Expect(admin.Locator("#accounts-grid")).Not.ToContainTextAsync(owner.Email);

        // the deleted account's sign-in no longer changes anything (its open page is sent to the sign-in at its next check)
        var write = await page.APIRequest.PostAsync(BaseUrl + "/api/objects/Case/records", new()
        {
            Headers = new Dictionary<string, string> { ["Origin"] = BaseUrl },
            DataObject = new { fields = new { Subject = "Written after the account was deleted" } },
        });
        Assert.Equal(403, write.Status);
        Assert.Contains("sign in again", await write.TextAsync());

        var again = await browser.NewPageAsync();
        await BrowserFixture.SignInAsync(again, BaseUrl, forgetful.Email, "Reset-Passw0rd-9");
        await Expect(again.Locator("#signed-in-user")).ToContainTextAsync(forgetful.Email);
    }
}
