using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Security;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Security;

public sealed class LocalSignInTests(PortalFixture fixture) : IClassFixture<PortalFixture>
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

    [Fact]
    public async Task RefusesAWrongPasswordWithAMessage()
    {
        using var client = Browser();
        using var response = await FormPost.SignInAsync(client, PortalAppFactory.AdminEmail, "not-the-password");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Wrong e-mail or password.", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/me")).StatusCode);
    }

    [Fact]
    public async Task LocksAnAccountAfterFiveFailures()
    {
        var account = await NewAccountAsync(Roles.User);
        using var client = Browser();
        for (var i = 0; i < 5; i++) (await FormPost.SignInAsync(client, account.Email, "wrong-password")).Dispose();

        using var response = await FormPost.SignInAsync(client, account.Email, "Passw0rd-Passw0rd");
        Assert.Contains("locked", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/me")).StatusCode);
    }

    [Fact]
    public async Task RefusesADisabledAccount()
    {
        var account = await NewAccountAsync(Roles.Manager);
        await fixture.Factory.Services.GetRequiredService<AccountService>().SetDisabledAsync(account.Id, true);
        using var client = Browser();
        using var response = await FormPost.SignInAsync(client, account.Email, "Passw0rd-Passw0rd");
        Assert.Contains("disabled", await response.Content.ReadAsStringAsync());
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
