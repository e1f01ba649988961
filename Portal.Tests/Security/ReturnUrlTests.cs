using System.Net;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Security;

/// The portal on real Kestrel, which (unlike the in-memory test server) refuses to send a header that is not ASCII.
public sealed class KestrelPortalFixture : IDisposable
{
    public PortalAppFactory Factory { get; } = new();
    public string BaseUrl { get; }

    public KestrelPortalFixture() => BaseUrl = Factory.StartKestrel();

    public void Dispose() => Factory.Dispose();
}

public sealed class ReturnUrlTests(KestrelPortalFixture portal) : IClassFixture<KestrelPortalFixture>
{
    [Theory]
    [InlineData("%2Fcaf%C3%A9", "/caf%C3%A9")]
    [InlineData("%2Frecords%2FCase%3Fq%3D%C3%BCber%20%E2%82%AC", "/records/Case?q=%C3%BCber%20%E2%82%AC")]
    [InlineData("%2Frecords%2FCase", "/records/Case")]
    [InlineData("%2F%2F%C3%A9vil.example%2F", "/")]
    [InlineData("https%3A%2F%2Fevil.example%2F%C3%A9", "/")]
    [InlineData("%2Fa%0D%0ASet-Cookie%3A%20x%3Dy", "/")]
    public async Task SignInGoesBackToALocalReturnUrlWhateverItsCharactersElseHome(string returnUrl, string expected)
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new() }) { BaseAddress = new Uri(portal.BaseUrl) };
        using var response = await FormPost.SubmitAsync(client, $"/login?ReturnUrl={returnUrl}", "login",
            new Dictionary<string, string> { ["Input.Email"] = PortalAppFactory.AdminEmail, ["Input.Password"] = PortalAppFactory.AdminPassword });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(expected, response.Headers.Location?.PathAndQuery);
    }
}
