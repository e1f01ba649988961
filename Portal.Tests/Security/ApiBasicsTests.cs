using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Persistence;
using Portal.Core.Security;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Security;

public class ApiBasicsTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private sealed record Me(string Name, string Role, string Kind);

    [Fact]
    public async Task HealthAndReadinessAnswerAnonymously()
    {
        using var client = fixture.Factory.CreateClientAs(null);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        using var ready = await client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        // how far webhook processing is behind, said beside the readiness
        var details = System.Text.Json.Nodes.JsonNode.Parse(await ready.Content.ReadAsStringAsync())!["details"]!;
        Assert.Equal(0, details["webhookLagSeconds"]!.GetValue<double>());
        Assert.Equal(0, details["webhooksWaiting"]!.GetValue<int>());
        Assert.Equal(30, details["webhookLagWarningSeconds"]!.GetValue<double>());
        Assert.False(details["webhookLagOverThreshold"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("Administrator")]
    [InlineData("Auditor")]
    public async Task MeNamesATokenCallerAndItsRole(string role)
    {
        using var client = fixture.Factory.CreateClientAs(role);
        var me = await client.GetFromJsonAsync<Me>("/api/me");
        Assert.Equal(new Me($"{role} test token", role, "token"), me);
    }

    [Fact]
    public async Task ReadsTheRepositoryAppSettingsFile()
    {
        // Only the top-level appsettings.json holds this value: the portal reads that one file.
        var configuration = fixture.Factory.Services.GetRequiredService<IConfiguration>();
        Assert.Equal("/signin-oidc", configuration["AzureAd:CallbackPath"]);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task AnswersUnknownApiPathsWithProblemDetails()
    {
        using var client = fixture.Factory.CreateClientAs(Roles.Administrator);
        using var response = await client.GetAsync("/api/no-such-thing");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task AnswersAnUnknownPageWithThePortalsNotFoundPageAnd404()
    {
        using var client = fixture.Factory.CreateClientAs(null);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/no-such-page");
        request.Headers.Accept.ParseAdd("text/html");
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("There is nothing at this address.", page);
        Assert.Contains("<title>Not found · Portal</title>", page);
    }

    [Fact]
    public async Task SendsSecurityHeaders()
    {
        using var client = fixture.Factory.CreateClientAs(null);
        using var response = await client.GetAsync("/login");
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("strict-origin-when-cross-origin", response.Headers.GetValues("Referrer-Policy").Single());
    }

    [Fact]
    public async Task SendsBrowsersWithoutCookieToSignIn()
    {
        using var client = fixture.Factory.CreateClientAs(null);
        using var response = await client.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/login", response.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task CreatedTokenWorksUntilRevoked()
    {
        var tokens = fixture.Factory.Services.GetRequiredService<ApiTokenService>();
        var created = await tokens.CreateAsync("ci", Roles.Manager, "tests");
        using var client = fixture.Factory.CreateClientAs(null);
        client.DefaultRequestHeaders.Authorization = new("Bearer", created.Secret);

        var me = await client.GetFromJsonAsync<Me>("/api/me");
        Assert.Equal(new Me("ci", Roles.Manager, "token"), me);
        var listed = (await tokens.ListAsync()).Single(t => t.Id == created.Token.Id);
        Assert.NotNull(listed.LastUsedUtc);
        Assert.DoesNotContain(created.Secret, listed.TokenHash);

        Assert.True(await tokens.RevokeAsync(created.Token.Id, "tests"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/me")).StatusCode);

        // both changes are in the audit trail, and the secret is in neither
        var log = fixture.Factory.Services.GetRequiredService<Portal.Core.Logging.IntegrationLog>();
        var audit = (await log.QueryAsync(new Portal.Core.Logging.LogQuery(Category: "config", Text: "'ci'"))).Entries;
        Assert.Contains(audit, e => e.Message == "tests created the API token 'ci' (Manager)");
        Assert.Contains(audit, e => e.Message == "tests revoked the API token 'ci'");
        Assert.All(audit, e => Assert.DoesNotContain(created.Secret, e.Details?.GetRawText() ?? ""));
    }
}

/// The same basics (health and readiness, tokens, problem answers) against a portal on PostgreSQL.
[Collection(PostgresCollection.Name)]
public sealed class ApiBasicsOnPostgresTests(PostgresCluster cluster) : ApiBasicsTests(cluster.SharedPortal(nameof(ApiBasicsOnPostgresTests)))
{
    [Fact]
    public async Task RunsOnPostgreSql()
    {
        var portal = cluster.SharedPortal(nameof(ApiBasicsOnPostgresTests)).Factory.Services;
        await using var db = await portal.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.True(db.Database.IsNpgsql());
    }
}
