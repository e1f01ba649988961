using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Security;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Security;

public sealed partial class LocalSignInTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private sealed record Me(string Name, string Role, string Kind);

    private HttpClient Browser() => fixture.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    private async Task<AccountSummary> NewAccountAsync(string role)
    {
        var accounts = fixture.Factory.Services.GetRequiredService<AccountService>();
        return await accounts.CreateAsync($"{Guid.NewGuid():n}@portal.test", "Passw0rd-Passw0rd", role);
    }

    [Fact]
    public async Task SignsInWithTheRightPasswordAndAnswersMeAsUser()
    {
        using var client = Browser();
        using var response = await FormPost.SignInAsync(client, PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.AbsolutePath);

        var me = await client.GetFromJsonAsync<Me>("/api/me");
        Assert.Equal(new Me(PortalAppFactory.AdminEmail, Roles.Administrator, "user"), me);
    }

    /// The sign-in page's error message after signing in with these credentials; null when it signed in.
    private async Task<string?> SignInErrorAsync(string email, string password)
    {
        using var client = Browser();
        using var response = await FormPost.SignInAsync(client, email, password);
        if (response.StatusCode == HttpStatusCode.Redirect) return null;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/me")).StatusCode);
        var error = LoginError().Match(await response.Content.ReadAsStringAsync());
        Assert.True(error.Success, "the page shows no error");
        return WebUtility.HtmlDecode(error.Groups[1].Value);
    }

    [System.Text.RegularExpressions.GeneratedRegex("id=\"login-error\">([^<]*)<")]
    private static partial System.Text.RegularExpressions.Regex LoginError();

    [Fact]
    public async Task RefusesAWrongPasswordWithAMessage()
    {
        var error = await SignInErrorAsync(PortalAppFactory.AdminEmail, "not-the-password");
        Assert.StartsWith(Portal.Components.Pages.Account.LoginPage.FailedMessage, error);
        Assert.Contains("After 5 failed attempts an account is locked for 5 minutes", error);
    }

    [Fact]
    public async Task LocksAnAccountAfterFiveFailures()
    {
        var account = await NewAccountAsync(Roles.User);
        for (var i = 0; i < 5; i++) await SignInErrorAsync(account.Email, "wrong-password");

        Assert.NotNull(await SignInErrorAsync(account.Email, "Passw0rd-Passw0rd"));
    }

    [Fact]
    public async Task RefusesADisabledAccount()
    {
        var account = await NewAccountAsync(Roles.Manager);
        await fixture.Factory.Services.GetRequiredService<AccountService>().SetDisabledAsync(account.Id, true);
        Assert.NotNull(await SignInErrorAsync(account.Email, "Passw0rd-Passw0rd"));
    }

    [Fact]
    public async Task SaysTheSameForAnUnknownEmailALockedAndADisabledAccount()
    {
        var unknown = await SignInErrorAsync($"{Guid.NewGuid():n}@portal.test", "any-password");
        var locked = await NewAccountAsync(Roles.User);
        for (var i = 0; i < 5; i++) await SignInErrorAsync(locked.Email, "wrong-password");
        var disabled = await NewAccountAsync(Roles.User);
        await fixture.Factory.Services.GetRequiredService<AccountService>().SetDisabledAsync(disabled.Id, true);

        // a locked or disabled account is refused before its password is checked: any password shows it
        Assert.Equal(unknown, await SignInErrorAsync(locked.Email, "any-password"));
        Assert.Equal(unknown, await SignInErrorAsync(locked.Email, "Passw0rd-Passw0rd"));
        Assert.Equal(unknown, await SignInErrorAsync(disabled.Email, "any-password"));
        Assert.Equal(unknown, await SignInErrorAsync(disabled.Email, "Passw0rd-Passw0rd"));
        Assert.Equal(unknown, await SignInErrorAsync(PortalAppFactory.AdminEmail, "not-the-password"));
    }

    [Fact]
    public async Task SignsOutWithTheTokenOfThePortalsOwnSignOutForm()
    {
        using var client = Browser();
        (await FormPost.SignInAsync(client, PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword)).Dispose();

        using var signedOut = await FormPost.SignOutAsync(client);
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.Equal("/login", signedOut.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/me")).StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("forged-token")]
    public async Task RefusesASignOutWithoutTheFormsAntiforgeryToken(string? token)
    {
        using var client = Browser();
        (await FormPost.SignInAsync(client, PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword)).Dispose();

        // what another site's auto-submitting form sends: the cookie, but no token of the portal's own
        var fields = token is null ? [] : new Dictionary<string, string> { ["__RequestVerificationToken"] = token };
        using var response = await client.PostAsync("/account/logout", new FormUrlEncodedContent(fields));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("anti-forgery token", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/me")).StatusCode);
    }

    [Fact]
    public async Task HidesTheSetUpPageOnceAnAccountExists()
    {
        using var client = Browser();
        using var response = await client.GetAsync("/setup");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/login", response.Headers.Location?.AbsolutePath);
    }

    [Fact]
    public async Task KeepsTheLastActiveAdministrator()
    {
        var accounts = fixture.Factory.Services.GetRequiredService<AccountService>();
        var admin = (await accounts.ListAsync()).Single(a => a.Email == PortalAppFactory.AdminEmail);
        var others = (await accounts.ListAsync()).Where(a => a.Role == Roles.Administrator && a.Id != admin.Id && !a.IsDisabled);
        Assert.Empty(others);
        var error = await Assert.ThrowsAsync<Core.PortalValidationException>(() => accounts.SetRoleAsync(admin.Id, Roles.User));
        Assert.Contains("last active Administrator", error.Message);
        Assert.Equal(Roles.Administrator, (await accounts.ListAsync()).Single(a => a.Id == admin.Id).Role);
    }

    [Fact]
    public async Task StoresPasswordsHashed()
    {
        var account = await NewAccountAsync(Roles.Auditor);
        using var scope = fixture.Factory.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<PortalUser>>();
        var user = await users.FindByIdAsync(account.Id);
        Assert.NotNull(user!.PasswordHash);
        Assert.DoesNotContain("Passw0rd", user.PasswordHash);
    }
}
