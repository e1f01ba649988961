using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Portal.Core.Security;
using Portal.Tests.Infrastructure;
using static Portal.Tests.Security.ApiAccessMatrixTests;

namespace Portal.Tests.Security;

/// A page on another site can make a signed-in browser send its cookie to /api/*: a change that the cookie
/// authenticates is refused unless it comes from the portal's own origin (`http://localhost` under the test host).
public sealed class CrossSiteRequestTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private const string OwnOrigin = "http://localhost";

    public static TheoryData<Endpoint> Writes() => new(ApiAccessMatrixTests.Endpoints.Where(e => e.Method != "GET"));

    public static TheoryData<string?, string?> ForeignHeaders() => new()
    {
        { "https://evil.example", null },
        { "null", null },
        { "http://localhost:8080", null },
        { "https://localhost", null },
        { "http://localhost.evil.example", "same-origin" }, // an Origin that is not ours wins over Sec-Fetch-Site
        { null, "cross-site" },
        { null, "same-site" },
        { null, "none" },
        { null, null },
    };

    private async Task<HttpClient> SignedInBrowserAsync()
    {
        var client = fixture.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var signIn = await FormPost.SignInAsync(client, PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        return client;
    }

    private static HttpRequestMessage From(HttpRequestMessage request, string? origin, string? fetchSite)
    {
        if (origin is not null) request.Headers.Add("Origin", origin);
        if (fetchSite is not null) request.Headers.Add("Sec-Fetch-Site", fetchSite);
        return request;
    }

    private static HttpRequestMessage NewCase(string subject) => new(HttpMethod.Post, "/api/objects/Case/records")
    {
        Content = JsonContent.Create(new { fields = new Dictionary<string, string> { ["Subject"] = subject } }),
    };

    private static async Task<bool> CaseExistsAsync(HttpClient client, string subject) =>
        (await client.GetFromJsonAsync<JsonElement>($"/api/objects/Case/records?q={Uri.EscapeDataString(subject)}")).GetProperty("total").GetInt32() > 0;

    [Theory]
    [MemberData(nameof(ForeignHeaders))]
    public async Task RefusesACookieWriteThatDoesNotComeFromThePortal(string? origin, string? fetchSite)
    {
        using var client = await SignedInBrowserAsync();
        var subject = $"forged {Guid.NewGuid():n}";
        using var response = await client.SendAsync(From(NewCase(subject), origin, fetchSite));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Cross-site request refused", problem.GetProperty("title").GetString());
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains(origin is not null ? $"origin '{origin}'" : fetchSite is not null ? $"Sec-Fetch-Site is '{fetchSite}'" : "neither an Origin header", detail);
        Assert.Contains("Authorization: Bearer", detail);
        Assert.False(await CaseExistsAsync(client, subject));
    }

    [Theory]
    [MemberData(nameof(Writes))]
    public async Task RefusesEveryCookieWriteFromAnotherSite(Endpoint endpoint)
    {
        using var client = await SignedInBrowserAsync();
        using var response = await client.SendAsync(From(Request(endpoint, await fixture.CaseIdAsync()), "https://evil.example", "cross-site"));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Cross-site request refused", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
    }

    [Theory]
    [MemberData(nameof(Writes))]
    public async Task AcceptsEveryCookieWriteFromThePortalsOwnOrigin(Endpoint endpoint)
    {
        using var client = await SignedInBrowserAsync();
        using var response = await client.SendAsync(From(Request(endpoint, await fixture.CaseIdAsync()), OwnOrigin, "same-origin"));
        Assert.Equal(endpoint.Success, response.StatusCode);
    }

    [Theory]
    [InlineData("http://LOCALHOST", null)]
    [InlineData("http://localhost:80", null)]
    [InlineData(null, "same-origin")]
    public async Task AcceptsTheSameOriginHoweverTheBrowserSpellsIt(string? origin, string? fetchSite)
    {
        using var client = await SignedInBrowserAsync();
        var subject = $"own page {Guid.NewGuid():n}";
        using var response = await client.SendAsync(From(NewCase(subject), origin, fetchSite));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.True(await CaseExistsAsync(client, subject));
    }

    [Fact]
    public async Task LeavesBearerTokenCallersAlone()
    {
        using var script = fixture.Factory.CreateClientAs(Roles.Manager);
        using var response = await script.SendAsync(From(NewCase($"script {Guid.NewGuid():n}"), "https://evil.example", "cross-site"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task LeavesCookieReadsAlone()
    {
        using var client = await SignedInBrowserAsync();
        using var response = await client.SendAsync(From(new HttpRequestMessage(HttpMethod.Get, "/api/me"), "https://evil.example", "cross-site"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
