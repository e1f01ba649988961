using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Logging;
using Portal.Core.Security;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Security;

/// Issue 19, item 15: a person changes their own password, an Administrator resets or deletes another account. Each
/// change ends the account's other sign-ins (a new security stamp, or no account), is checked by the service and is in
/// the audit trail without the password.
public sealed class AccountPasswordAndDeletionTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private const string Password = "Passw0rd-Passw0rd";

    private PortalAppFactory Portal => fixture.Factory;
    private AccountService Accounts => Portal.Services.GetRequiredService<AccountService>();
    private AccessCheck Access => Portal.Services.GetRequiredService<AccessCheck>();

    private async Task<bool> SignsInAsync(string email, string password)
    {
        using var client = Portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var response = await FormPost.SignInAsync(client, email, password);
        return response.StatusCode == HttpStatusCode.Redirect;
    }

    private async Task<IReadOnlyList<LogEntryDto>> AuditOfAsync(string email) =>
        (await Portal.Services.GetRequiredService<IntegrationLog>().QueryAsync(new LogQuery(Category: "config", Text: email))).Entries;

    private static void HasNoPassword(IEnumerable<LogEntryDto> entries, params string[] passwords)
    {
        foreach (var entry in entries)
        foreach (var password in passwords)
        {
            Assert.DoesNotContain(password, entry.Message);
            Assert.DoesNotContain(password, entry.Details?.GetRawText() ?? "");
        }
    }

    [Fact]
    public async Task ChangingOnesOwnPasswordNeedsTheCurrentOneAndEndsTheOtherSignIns()
    {
        var (account, principal) = await Portal.SignedInAccountAsync(Roles.Auditor);

        var wrong = await Assert.ThrowsAsync<PortalValidationException>(() => Accounts.ChangeOwnPasswordAsync(principal, "Not-the-passw0rd", "New-Passw0rd-1"));
        Assert.Equal(("currentPassword", "The current password is wrong."), (wrong.Field, wrong.Message));
        var weak = await Assert.ThrowsAsync<PortalValidationException>(() => Accounts.ChangeOwnPasswordAsync(principal, Password, "alllowercase"));
        Assert.Equal("newPassword", weak.Field);
        Assert.Contains("digit", weak.Message);
        Assert.NotNull(await Access.CurrentAsync(principal));

        await Accounts.ChangeOwnPasswordAsync(principal, Password, "New-Passw0rd-1");

        Assert.Null(await Access.CurrentAsync(principal));
        Assert.False(await SignsInAsync(account.Email, Password));
        Assert.True(await SignsInAsync(account.Email, "New-Passw0rd-1"));
        var audit = await AuditOfAsync(account.Email);
        Assert.Contains(audit, e => e.Message == $"Account {account.Email}: password changed by its owner");
        HasNoPassword(audit, Password, "New-Passw0rd-1");
    }

    [Fact]
    public async Task AnAdministratorResetsAnotherAccountsPasswordAndItsSignInsEnd()
    {
        var (admin, adminPrincipal) = await Portal.SignedInAccountAsync(Roles.Administrator);
        var (manager, managerPrincipal) = await Portal.SignedInAccountAsync(Roles.Manager);
        var (user, userPrincipal) = await Portal.SignedInAccountAsync(Roles.User);

        var refused = await Assert.ThrowsAsync<PortalForbiddenException>(() => Accounts.ResetPasswordAsync(user.Id, "Reset-Passw0rd-1", managerPrincipal));
        Assert.Equal("Your role (Manager) does not have the 'admin' permission.", refused.Message);
        var weak = await Assert.ThrowsAsync<PortalValidationException>(() => Accounts.ResetPasswordAsync(user.Id, "short", adminPrincipal));
        Assert.Equal("password", weak.Field);
        var own = await Assert.ThrowsAsync<PortalValidationException>(() => Accounts.ResetPasswordAsync(admin.Id, "Reset-Passw0rd-1", adminPrincipal));
        Assert.Contains("Change your own password", own.Message);
        Assert.NotNull(await Access.CurrentAsync(userPrincipal));

        await Accounts.ResetPasswordAsync(user.Id, "Reset-Passw0rd-1", adminPrincipal);

        Assert.Null(await Access.CurrentAsync(userPrincipal));
        Assert.NotNull(await Access.CurrentAsync(managerPrincipal));
        Assert.False(await SignsInAsync(user.Email, Password));
        Assert.True(await SignsInAsync(user.Email, "Reset-Passw0rd-1"));
        var audit = await AuditOfAsync(user.Email);
        Assert.Contains(audit, e => e.Message == $"Account {user.Email}: password reset by {admin.Email}");
        Assert.DoesNotContain(audit, e => e.Message.Contains(manager.Email));
        HasNoPassword(audit, Password, "Reset-Passw0rd-1");
    }

    [Fact]
    public async Task AResetEndsALockout()
    {
        var (user, _) = await Portal.SignedInAccountAsync(Roles.User);
        for (var i = 0; i < 5; i++) Assert.False(await SignsInAsync(user.Email, "wrong-password"));
        Assert.False(await SignsInAsync(user.Email, Password));

        await Accounts.ResetPasswordAsync(user.Id, "Reset-Passw0rd-2");

        Assert.True(await SignsInAsync(user.Email, "Reset-Passw0rd-2"));
    }

    [Fact]
    public async Task AnAdministratorDeletesAnotherAccountAndItsSignInsStopWorking()
    {
        var (admin, adminPrincipal) = await Portal.SignedInAccountAsync(Roles.Administrator);
        var (user, userPrincipal) = await Portal.SignedInAccountAsync(Roles.User);
        var (_, auditorPrincipal) = await Portal.SignedInAccountAsync(Roles.Auditor);

        var refused = await Assert.ThrowsAsync<PortalForbiddenException>(() => Accounts.DeleteAsync(user.Id, auditorPrincipal));
        Assert.Equal("Your role (Auditor) does not have the 'admin' permission.", refused.Message);
        var own = await Assert.ThrowsAsync<PortalValidationException>(() => Accounts.DeleteAsync(admin.Id, adminPrincipal));
        Assert.Equal("You cannot delete your own account; another Administrator can.", own.Message);
        var unknown = await Assert.ThrowsAsync<PortalValidationException>(() => Accounts.DeleteAsync("no-such-id", adminPrincipal));
        Assert.Equal("No such account.", unknown.Message);

        await Accounts.DeleteAsync(user.Id, adminPrincipal);

        Assert.DoesNotContain(await Accounts.ListAsync(), a => a.Id == user.Id);
        Assert.Null(await Access.CurrentAsync(userPrincipal));
        var write = await Assert.ThrowsAsync<PortalForbiddenException>(() => Access.DemandAsync(userPrincipal, Permissions.RecordsWrite));
        Assert.Contains("sign in again", write.Message);
        Assert.False(await SignsInAsync(user.Email, Password));
        Assert.Contains(await AuditOfAsync(user.Email), e => e.Message == $"Account {user.Email} deleted by {admin.Email}");

        // the e-mail is free for a new account
        await Accounts.CreateAsync(user.Email, Password, Roles.Auditor, adminPrincipal);
    }

    [Fact]
    public async Task NobodyDeletesTheLastActiveAdministrator()
    {
        using var portal = new PortalAppFactory(bootstrapAdmin: false);
        var accounts = portal.Services.GetRequiredService<AccountService>();
        var only = await accounts.CreateAsync("only-admin@portal.test", Password, Roles.Administrator);
        var other = await accounts.CreateAsync("former-admin@portal.test", Password, Roles.Administrator);
        await accounts.SetDisabledAsync(other.Id, true);

        var refused = await Assert.ThrowsAsync<PortalValidationException>(() => accounts.DeleteAsync(only.Id));
        Assert.Contains("last active Administrator", refused.Message);
        Assert.Contains(await accounts.ListAsync(), a => a.Id == only.Id);

        // a disabled Administrator may go: the active one stays
        await accounts.DeleteAsync(other.Id);
        Assert.Equal([only.Id], (await accounts.ListAsync()).Select(a => a.Id));
    }

    [Fact]
    public async Task AnApiTokenHasNoPasswordToChange()
    {
        var admin = (await Portal.SignedInAccountAsync(Roles.Administrator)).Principal;
        var token = await Portal.Services.GetRequiredService<ApiTokenService>().CreateAsync($"t-{Guid.NewGuid():n}", Roles.User, admin);
        var principal = new ClaimsPrincipal(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, token.Token.Name), new Claim(ClaimTypes.Role, Roles.User),
            new Claim(PortalClaims.Kind, PortalClaims.KindToken), new Claim(PortalClaims.TokenId, token.Token.Id.ToString()),
        ], "Bearer"));

        var refused = await Assert.ThrowsAsync<PortalForbiddenException>(() => Accounts.ChangeOwnPasswordAsync(principal, "x", "New-Passw0rd-1"));
        Assert.Contains("API token", refused.Message);
    }
}
