using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Security;

/// Behind a TLS proxy (`ASPNETCORE_FORWARDEDHEADERS_ENABLED=true`, the proxy sending `X-Forwarded-Proto: https`) the
/// sign-in cookie is `Secure` and HSTS is sent; without the setting a client's own header changes nothing.
public sealed class ForwardedHeadersTests
{
    private static async Task<(HttpResponseMessage Page, HttpResponseMessage SignIn)> SignInThroughProxyAsync(PortalAppFactory portal)
    {
        var client = portal.CreateClient(new WebApplicationFactoryClientOptions
            { AllowAutoRedirect = false, BaseAddress = new Uri("http://portal.example.test") });
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        var page = await client.GetAsync("/login");
        var signIn = await FormPost.SignInAsync(client, PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);
        return (page, signIn);
    }

    private static IEnumerable<string> Cookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [];

    [Fact]
    public async Task BehindATlsProxyTheCookieIsSecureAndHstsIsSent()
    {
        using var portal = new PortalAppFactory(settings: new Dictionary<string, string?> { ["ForwardedHeaders_Enabled"] = "true" });
        var (page, signIn) = await SignInThroughProxyAsync(portal);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Contains("max-age=", page.Headers.GetValues("Strict-Transport-Security").Single());
        var cookie = Cookies(signIn).Single(c => c.StartsWith("portal.auth=", StringComparison.Ordinal));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task WithoutTheSettingAForwardedHeaderFromTheClientChangesNothing()
    {
        using var portal = new PortalAppFactory();
        var (page, signIn) = await SignInThroughProxyAsync(portal);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.False(page.Headers.Contains("Strict-Transport-Security"));
        var cookie = Cookies(signIn).Single(c => c.StartsWith("portal.auth=", StringComparison.Ordinal));
        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase);
    }
}
