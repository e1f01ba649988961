using Microsoft.AspNetCore.Antiforgery;
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

        app.MapPost("/account/logout", async (HttpContext context, IAntiforgery antiforgery) =>
        {
            // Without a form field it cannot bind, this endpoint gets no automatic check: ask for the token here, so that
            // another site's page cannot sign anyone out. The layout's sign-out form carries it (<AntiforgeryToken />).
            if (!await antiforgery.IsRequestValidAsync(context))
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Anti-forgery token missing or invalid",
                    detail: "Sign out with the Sign out button of a portal page; this request does not carry that form's anti-forgery token.");
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
                new AuthenticationProperties { RedirectUri = ReturnUrls.LocalOrHome(returnUrl) },
                [OpenIdConnectDefaults.AuthenticationScheme])).AllowAnonymous();
        }
        return app;
    }
}
