using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Security;
using Portal.Security;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Security;

/// A live circuit reads its account again: the principal it started with stops counting once the account is
/// disabled, removed, given another role, or has its security stamp renewed.
public sealed class AccountRevalidatingAuthenticationStateProviderTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    /// Calls the provider's check directly, as the revalidation loop does every interval.
    private sealed class Probe(IServiceProvider services) : AccountRevalidatingAuthenticationStateProvider(
        services.GetRequiredService<ILoggerFactory>(), services.GetRequiredService<AccessCheck>(),
        services.GetRequiredService<IOptions<CircuitRevalidationOptions>>())
    {
        public TimeSpan Interval => RevalidationInterval;

        public Task<bool> IsValidAsync(ClaimsPrincipal principal) =>
            ValidateAuthenticationStateAsync(new AuthenticationState(principal), CancellationToken.None);
    }

    private PortalAppFactory Portal => fixture.Factory;
    private AccountService Accounts => Portal.Services.GetRequiredService<AccountService>();

    [Fact]
    public async Task KeepsAnUnchangedAccountSignedIn()
    {
        var (_, principal) = await Portal.SignedInAccountAsync(Roles.Manager);
        using var probe = new Probe(Portal.Services);
        Assert.True(await probe.IsValidAsync(principal));
    }

    [Theory]
    [InlineData("disabled")]
    [InlineData("demoted to User")]
    [InlineData("removed")]
    // AccountService renews the security stamp on every role change and every disable: a principal from before
    // either stops counting even when the account looks the same again
    [InlineData("made Administrator, then Manager again")]
    [InlineData("disabled, then enabled again")]
    public async Task EndsTheCircuitOfAnAccountChangedSinceItOpened(string change)
    {
        var (account, principal) = await Portal.SignedInAccountAsync(Roles.Manager);
        switch (change)
        {
            case "disabled":
                await Accounts.SetDisabledAsync(account.Id, true);
                break;
            case "demoted to User":
                await Accounts.SetRoleAsync(account.Id, Roles.User);
                break;
            case "removed":
                using (var scope = Portal.Services.CreateScope())
                {
                    var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
                    await users.DeleteAsync((await users.FindByIdAsync(account.Id))!);
                }
                break;
            case "made Administrator, then Manager again":
                await Accounts.SetRoleAsync(account.Id, Roles.Administrator);
                await Accounts.SetRoleAsync(account.Id, Roles.Manager);
                break;
            default:
                await Accounts.SetDisabledAsync(account.Id, true);
                await Accounts.SetDisabledAsync(account.Id, false);
                break;
        }

        using var probe = new Probe(Portal.Services);
        Assert.False(await probe.IsValidAsync(principal));
    }

    [Fact]
    public async Task EndsTheCircuitOfAPrincipalWhoseRoleIsNotTheAccounts()
    {
        var (account, principal) = await Portal.SignedInAccountAsync(Roles.User);
        // the same account and stamp, with a role the account does not have
        var forged = new ClaimsPrincipal(new ClaimsIdentity(
            principal.Claims.Where(c => c.Type != ClaimTypes.Role).Append(new Claim(ClaimTypes.Role, Roles.Administrator)),
            IdentityConstants.ApplicationScheme));
        using var probe = new Probe(Portal.Services);
        Assert.True(await probe.IsValidAsync(principal));
        Assert.False(await probe.IsValidAsync(forged));
        Assert.Equal(Roles.User, (await Accounts.ListAsync()).Single(a => a.Id == account.Id).Role);
    }

    [Fact]
    public void IsTheCircuitsProviderAndChecksEveryThirtySeconds()
    {
        using var scope = Portal.Services.CreateScope();
        Assert.IsType<AccountRevalidatingAuthenticationStateProvider>(scope.ServiceProvider.GetRequiredService<AuthenticationStateProvider>());
        using var probe = new Probe(Portal.Services);
        Assert.Equal(TimeSpan.FromSeconds(30), probe.Interval);
    }

    [Fact]
    public void TakesItsIntervalFromTheConfiguration()
    {
        using var portal = new PortalAppFactory(settings: new Dictionary<string, string?> { ["Authentication:RevalidationInterval"] = "00:00:05" });
        portal.CreateClient().Dispose();
        using var probe = new Probe(portal.Services);
        Assert.Equal(TimeSpan.FromSeconds(5), probe.Interval);
    }
}
