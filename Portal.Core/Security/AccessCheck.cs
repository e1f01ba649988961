using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Persistence;

namespace Portal.Core.Security;

/// Who a change is made for, as the database has it at the moment of the change.
public sealed record Caller(string Name, IReadOnlyList<string> Roles)
{
    public bool Has(string permission) => Permissions.IsGrantedToAny(Roles, permission);
}

public sealed class AccessCheckOptions
{
    /// Local accounts: a person is checked against their account row. With Entra ID there is no row to check, and a
    /// person's roles are the ones Entra put in their sign-in.
    public bool LocalAccounts { get; set; } = true;
}

/// The check every privileged write makes itself, whatever the page or endpoint in front of it checked: a Blazor
/// circuit keeps the principal it started with, so the role a page saw may be minutes old. A person must still have
/// an enabled account with the security stamp their sign-in was issued with (a role change or a disable renews it),
/// and the account's role must grant the permission; a token made in the UI must not have been revoked.
public sealed class AccessCheck(IDbContextFactory<PortalDbContext> dbFactory, IOptions<IdentityOptions> identity, IOptions<AccessCheckOptions> options)
{
    public async Task<Caller> DemandAsync(ClaimsPrincipal principal, string permission, CancellationToken cancellationToken = default)
    {
        var caller = await CurrentAsync(principal, cancellationToken) ?? throw new PortalForbiddenException(
            PortalClaims.KindOf(principal) == PortalClaims.KindToken
                ? "This API token is no longer valid."
                : "Your account was changed or disabled after you signed in; sign in again.");
        if (!caller.Has(permission))
            throw new PortalForbiddenException($"Your role ({string.Join(", ", caller.Roles)}) does not have the '{permission}' permission.");
        return caller;
    }

    /// The caller that `principal` speaks for now, or null when it no longer speaks for anyone: the account is gone,
    /// disabled or changed since the sign-in, or the token is revoked.
    public async Task<Caller?> CurrentAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        if (principal.Identity?.IsAuthenticated != true) return null;
        if (PortalClaims.KindOf(principal) == PortalClaims.KindToken) return await TokenAsync(principal, cancellationToken);
        if (!options.Value.LocalAccounts)
            return PortalClaims.RolesOf(principal) is { Count: > 0 } roles ? new Caller(PortalClaims.NameOf(principal), roles) : null;

        var claims = identity.Value.ClaimsIdentity;
        var id = principal.FindFirstValue(claims.UserIdClaimType);
        var stamp = principal.FindFirstValue(claims.SecurityStampClaimType);
        if (id is null || stamp is null) return null;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.AsNoTracking().Where(u => u.Id == id)
            .Select(u => new { u.UserName, u.Role, u.IsDisabled, u.SecurityStamp }).FirstOrDefaultAsync(cancellationToken);
        if (user is null || user.IsDisabled || !string.Equals(user.SecurityStamp, stamp, StringComparison.Ordinal)) return null;
        return new Caller(user.UserName ?? PortalClaims.NameOf(principal), [user.Role]);
    }

    private async Task<Caller?> TokenAsync(ClaimsPrincipal principal, CancellationToken cancellationToken)
    {
        // a token from configuration is fixed for the life of the process, and the handler matched it in this request
        if (principal.FindFirstValue(PortalClaims.TokenId) is not { } tokenId)
            return PortalClaims.RolesOf(principal) is [var role] ? new Caller(PortalClaims.NameOf(principal), [role]) : null;
        if (!Guid.TryParse(tokenId, out var id)) return null;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var token = await db.ApiTokens.AsNoTracking().Where(t => t.Id == id)
            .Select(t => new { t.Name, t.Role, t.RevokedUtc }).FirstOrDefaultAsync(cancellationToken);
        return token is null || token.RevokedUtc is not null ? null : new Caller(token.Name, [token.Role]);
    }
}
