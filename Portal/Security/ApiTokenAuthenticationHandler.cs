using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Portal.Core.Security;

namespace Portal.Security;

/// `Authorization: Bearer <token>` for machine callers.
internal sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiTokenService tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";

    public static bool HasBearer(HttpContext context) =>
        context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();

        var caller = await tokens.ValidateAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted);
        if (caller is null) return AuthenticateResult.Fail("The API token is not valid or has been revoked.");

        return AuthenticateResult.Success(new AuthenticationTicket(PrincipalFor(caller), SchemeName));
    }

    public static ClaimsPrincipal PrincipalFor(ApiCaller caller)
    {
        List<Claim> claims = [new(ClaimTypes.Name, caller.Name), new(ClaimTypes.Role, caller.Role), new(PortalClaims.Kind, PortalClaims.KindToken)];
        // the services look a UI-made token up again at the moment of a write (AccessCheck)
        if (caller.Id is { } id) claims.Add(new Claim(PortalClaims.TokenId, id.ToString()));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
    }
}
