namespace Portal.Security;

/// A browser sends the sign-in cookie with every request to the portal, whichever site's page made it (SameSite=Lax
/// stops only cross-site ones; a sibling subdomain is same-site). So a change to /api/* that the cookie authenticates
/// must come from the portal's own origin. Bearer-token callers send no cookie, and are not checked.
public static class SameOriginApiWrites
{
    public const string Title = "Cross-site request refused";

    public static IApplicationBuilder UseSameOriginApiWrites(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (RefusalOf(context) is { } reason)
        {
            await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: Title, detail: reason).ExecuteAsync(context);
            return;
        }
        await next();
    });

    /// Why this request is refused, or null when it may go on.
    public static string? RefusalOf(HttpContext context)
    {
        var request = context.Request;
        if (!request.Path.StartsWithSegments("/api") || IsSafe(request.Method)
            || context.User.Identity?.IsAuthenticated != true || ApiTokenAuthenticationHandler.HasBearer(context))
            return null;

        const string Advice = "A signed-in browser may change data only from the portal's own pages; scripts authenticate with 'Authorization: Bearer <token>'.";
        var own = $"{request.Scheme}://{request.Host}";
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0)
            return IsOwnOrigin(request, origin) ? null : $"The request comes from the origin '{origin}', not from this portal ('{own}'). {Advice}";

        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Equals("same-origin", StringComparison.OrdinalIgnoreCase)) return null;
        return site.Length > 0
            ? $"The request has no Origin header and its Sec-Fetch-Site is '{site}', not 'same-origin'. {Advice}"
            : $"The request has neither an Origin header nor 'Sec-Fetch-Site: same-origin', so nothing shows that it comes from this portal ('{own}'). {Advice}";
    }

    private static bool IsSafe(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);

    // Scheme, host and port, as the browser names them: the default port may be left out on either side.
    private static bool IsOwnOrigin(HttpRequest request, string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && uri.AbsolutePath == "/" && uri.Query.Length == 0 && uri.UserInfo.Length == 0
        && uri.Scheme.Equals(request.Scheme, StringComparison.OrdinalIgnoreCase)
        && uri.Host.Equals(request.Host.Host, StringComparison.OrdinalIgnoreCase)
        && uri.Port == (request.Host.Port ?? (request.IsHttps ? 443 : 80));
}
