using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.Options;
using Portal.Core.Security;

namespace Portal.Security;

public sealed class CircuitRevalidationOptions
{
    public const string Section = "Authentication";

    /// How often a live circuit re-reads its account (`Authentication:RevalidationInterval`).
    public TimeSpan RevalidationInterval { get; set; } = TimeSpan.FromSeconds(30);
}

/// Local accounts: a Blazor circuit holds the principal it started with for as long as the tab stays open, long after
/// the cookie it came from was refused. Every `RevalidationInterval` this reads the account again (AccessCheck): when
/// it is gone or disabled, its security stamp renewed (a role change or a disable renews it) or its role is no longer
/// the principal's, the circuit's user becomes anonymous and the pages behind [Authorize] send it to the sign-in.
/// Between two checks the services still check every write themselves.
/// Not sealed: tests call the protected check through a subclass.
internal class AccountRevalidatingAuthenticationStateProvider(
    ILoggerFactory loggerFactory, AccessCheck access, IOptions<CircuitRevalidationOptions> options)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => options.Value.RevalidationInterval;

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        var principal = authenticationState.User;
        if (principal.Identity?.IsAuthenticated != true) return true;
        var current = await access.CurrentAsync(principal, cancellationToken);
        return current is not null && current.Roles.SequenceEqual(PortalClaims.RolesOf(principal));
    }
}
