using System.Security.Claims;
using Portal.Core.Security;
using Portal.Security;

namespace Portal.Endpoints;

public sealed record MeResponse(string Name, string? Role, string Kind);

public static class MeEndpoints
{
    public static IEndpointRouteBuilder MapMeEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/me", (ClaimsPrincipal user) =>
                TypedResults.Ok(new MeResponse(PortalClaims.NameOf(user), PortalClaims.PrimaryRole(user), PortalClaims.KindOf(user))))
            .RequireAuthorization(Permissions.Read);
        return app;
    }
}
