using System.Security.Claims;

namespace Portal.Core.Security;

public static class PortalClaims
{
    public const string Kind = "portal:kind";
    public const string KindUser = "user";
    public const string KindToken = "token";
    /// The id of a token made in the UI; a token from configuration has none.
    public const string TokenId = "portal:token";

    /// The caller's roles: local accounts and tokens carry ClaimTypes.Role; Entra app roles may arrive as `roles`.
    public static IReadOnlyList<string> RolesOf(ClaimsPrincipal principal) =>
        principal.Claims
            .Where(c => c.Type is ClaimTypes.Role or "roles")
            .Select(c => Roles.Normalize(c.Value))
            .OfType<string>()
            .Distinct()
            .OrderBy(r => Roles.All.ToList().IndexOf(r))
            .ToList();

    /// The one role shown for a caller: the widest of its roles, in the order of the contract's table.
    public static string? PrimaryRole(ClaimsPrincipal principal) => RolesOf(principal).FirstOrDefault();

    public static bool Has(ClaimsPrincipal principal, string permission) =>
        principal.Identity?.IsAuthenticated == true && Permissions.IsGrantedToAny(RolesOf(principal), permission);

    public static string KindOf(ClaimsPrincipal principal) => principal.FindFirstValue(Kind) ?? KindUser;

    public static string NameOf(ClaimsPrincipal principal) =>
        principal.Identity?.Name ?? principal.FindFirstValue("preferred_username") ?? principal.FindFirstValue(ClaimTypes.Email) ?? "unknown";
}
