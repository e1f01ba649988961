using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Portal.Core.Security;

namespace Portal.Security;

public sealed record PermissionRequirement(string Permission) : IAuthorizationRequirement;

internal sealed class PermissionHandler : AuthorizationHandler<PermissionRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PermissionRequirement requirement)
    {
        if (PortalClaims.Has(context.User, requirement.Permission)) context.Succeed(requirement);
        return Task.CompletedTask;
    }
}

/// API callers (and Prometheus) get RFC 7807 answers (401 without valid credentials, 403 without the permission) instead of the
/// browser's redirects to the sign-in page.
internal sealed class ApiAwareAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult result)
    {
        if (!SecurityExtensions.IsMachinePath(context.Request.Path) || result.Succeeded)
        {
            await _default.HandleAsync(next, context, policy, result);
            return;
        }

        var unauthenticated = result.Challenged || context.User.Identity?.IsAuthenticated != true;
        var status = unauthenticated ? StatusCodes.Status401Unauthorized : StatusCodes.Status403Forbidden;
        if (unauthenticated) context.Response.Headers.WWWAuthenticate = "Bearer";
        var needed = policy.Requirements.OfType<PermissionRequirement>().Select(r => r.Permission).FirstOrDefault();
        await Results.Problem(
            statusCode: status,
            title: unauthenticated ? "Authentication required" : "Permission denied",
            detail: unauthenticated
                ? "Send a valid API token as 'Authorization: Bearer <token>', or sign in."
                : $"Your role does not have the '{needed}' permission.").ExecuteAsync(context);
    }
}

public static class PermissionPolicies
{
    public static void AddPermissionPolicies(this AuthorizationBuilder authorization)
    {
        foreach (var permission in Permissions.All)
            authorization.AddPolicy(permission, p => p.RequireAuthenticatedUser().AddRequirements(new PermissionRequirement(permission)));
    }
}
