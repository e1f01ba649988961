using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Security;

namespace Portal.Tests.Infrastructure;

/// Local accounts for tests over `TestDatabase` (which has no Identity services): rows as AccountService stores them,
/// and the claims their sign-in carries (PortalClaimsPrincipalFactory), which is what a page's circuit holds.
public static class TestAccounts
{
    private static readonly ClaimsIdentityOptions s_claims = new();

    public static async Task<PortalUser> AddAccountAsync(this TestDatabase database, string role, string email)
    {
        var user = new PortalUser
        {
            UserName = email, NormalizedUserName = email.ToUpperInvariant(), Email = email, NormalizedEmail = email.ToUpperInvariant(),
            EmailConfirmed = true, Role = role, CreatedUtc = database.Clock.GetUtcNow().UtcDateTime,
        };
        await using var db = await database.ContextAsync();
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return user;
    }

    /// Changes the account as AccountService does: the change and a new security stamp.
    public static async Task ChangeAccountAsync(this TestDatabase database, string id, Action<PortalUser> change)
    {
        await using var db = await database.ContextAsync();
        var user = await db.Users.FindAsync(id) ?? throw new InvalidOperationException($"No account {id}.");
        change(user);
        user.SecurityStamp = Guid.NewGuid().ToString("N");
        await db.SaveChangesAsync();
    }

    public static Claim[] SignInClaims(PortalUser user) =>
    [
        new(s_claims.UserIdClaimType, user.Id), new(s_claims.UserNameClaimType, user.UserName!), new(ClaimTypes.Role, user.Role),
        new(s_claims.SecurityStampClaimType, user.SecurityStamp!), new(PortalClaims.Kind, PortalClaims.KindUser),
    ];

    public static ClaimsPrincipal PrincipalOf(PortalUser user) =>
        new(new ClaimsIdentity(SignInClaims(user), IdentityConstants.ApplicationScheme, s_claims.UserNameClaimType, s_claims.RoleClaimType));

    /// Signs the component test in as `user`, with the claims a real sign-in carries.
    public static void SignIn(this BunitContext context, PortalUser user)
    {
        var auth = context.AddAuthorization();
        auth.SetAuthorized(user.UserName!);
        auth.SetRoles(user.Role);
        auth.SetClaims(SignInClaims(user).Where(c => c.Type is not (ClaimTypes.Name or ClaimTypes.Role)).ToArray());
    }
}

/// Accounts in a running portal, made by its AccountService, with the principal its sign-in issues
/// (PortalClaimsPrincipalFactory): what the cookie, and a circuit opened with it, hold.
public static class PortalAccounts
{
    public static async Task<(AccountSummary Account, ClaimsPrincipal Principal)> SignedInAccountAsync(this PortalAppFactory factory, string role)
    {
        var account = await factory.Services.GetRequiredService<AccountService>().CreateAsync($"{Guid.NewGuid():n}@portal.test", "Passw0rd-Passw0rd", role);
        return (account, await factory.PrincipalOfAsync(account.Id));
    }

    public static async Task<ClaimsPrincipal> PrincipalOfAsync(this PortalAppFactory factory, string id)
    {
        using var scope = factory.Services.CreateScope();
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>().FindByIdAsync(id)
            ?? throw new InvalidOperationException($"No account {id}.");
        return await scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<PortalUser>>().CreateAsync(user);
    }
}
