using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Identity;
using Portal.Security;

namespace Portal.Endpoints;

public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        var mode = SecurityExtensions.ModeOf(app.ServiceProvider.GetRequiredService<IConfiguration>());

        app.MapPost("/account/logout", async (HttpContext context) =>
        {
            if (mode == AuthenticationMode.Local)
            {
                await context.SignOutAsync(IdentityConstants.ApplicationScheme);
                return Results.LocalRedirect("/login");
            }
            return Results.SignOut(new AuthenticationProperties { RedirectUri = "/login" },
                [CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme]);
        });

        if (mode == AuthenticationMode.EntraId)
        {
            app.MapGet("/account/signin", (string? returnUrl) => Results.Challenge(
                new AuthenticationProperties { RedirectUri = IsLocal(returnUrl) ? returnUrl : "/" },
                [OpenIdConnectDefaults.AuthenticationScheme])).AllowAnonymous();
        }
        return app;
    }

    public static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal);
}
