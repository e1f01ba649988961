using System.Net;
using System.Text;
using Portal.Core.Security;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Security;

/// Every API endpoint, called by every role, anonymously and with a wrong token: 401 without valid credentials,
/// 403 without the permission, the endpoint's own answer with it. Later features add their rows to `Endpoints`.
public class ApiAccessMatrixTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    public sealed record Endpoint(string Method, string Path, string Permission, HttpStatusCode Success, string? Body = null)
    {
        public override string ToString() => $"{Method} {Path}";
    }

    // {case} is a Case record that exists in the fixture's database.
    public static readonly Endpoint[] Endpoints =
    [
        new("GET", "/api/me", Permissions.Read, HttpStatusCode.OK),
        new("GET", "/api/objects", Permissions.Read, HttpStatusCode.OK),
        new("POST", "/api/objects", Permissions.ConfigWrite, HttpStatusCode.Created,
            """{"name":"MatrixObject","fields":[{"name":"Amount","type":"number"}]}"""),
        new("POST", "/api/objects/Case/fields", Permissions.ConfigWrite, HttpStatusCode.Created, """{"name":"MatrixField","type":"text"}"""),
        // the built-in Case relabelled as it is: the answer without a change
        new("PATCH", "/api/objects/Case", Permissions.ConfigWrite, HttpStatusCode.OK, """{"label":"Case"}"""),
        new("PATCH", "/api/objects/Case/fields/Subject", Permissions.ConfigWrite, HttpStatusCode.OK, """{"label":"Subject"}"""),
        // never defined: a permitted caller gets past authorization to the 404
        new("DELETE", "/api/objects/MatrixNever", Permissions.ConfigWrite, HttpStatusCode.NotFound),
        new("DELETE", "/api/objects/Case/fields/MatrixNever", Permissions.ConfigWrite, HttpStatusCode.NotFound),
        new("POST", "/api/objects/Case/records", Permissions.RecordsWrite, HttpStatusCode.Created, """{"fields":{"Subject":"From the matrix"}}"""),
        new("GET", "/api/objects/Case/records", Permissions.Read, HttpStatusCode.OK),
        new("GET", "/api/objects/Case/records/{case}", Permissions.Read, HttpStatusCode.OK),
        new("PATCH", "/api/objects/Case/records/{case}", Permissions.RecordsWrite, HttpStatusCode.OK, """{"fields":{"Status":"Working"}}"""),
        new("POST", "/api/objects/Case/records/{case}/comments", Permissions.RecordsWrite, HttpStatusCode.Created, """{"body":"Matrix comment"}"""),
        new("GET", "/api/objects/Case/records/{case}/comments", Permissions.Read, HttpStatusCode.OK),
        // never linked: a permitted caller gets past authorization to the 404
        new("DELETE", "/api/objects/Case/records/{case}/incidents/PNEVER", Permissions.LinksDelete, HttpStatusCode.NotFound),
        new("GET", "/api/rulesets", Permissions.Read, HttpStatusCode.OK),
        new("PUT", "/api/rulesets", Permissions.RulesWrite, HttpStatusCode.OK, """{"schemaVersion":1,"rulesets":[]}"""),
        new("POST", "/api/rulesets/dry-run", Permissions.Read, HttpStatusCode.OK,
            """{"event":{"kind":"record","object":"Case","isInsert":true,"old":{},"new":{"Subject":"x"}}}"""),
        new("GET", "/api/rulesets/versions", Permissions.Read, HttpStatusCode.OK),
        new("GET", "/api/logs", Permissions.Read, HttpStatusCode.OK),
        new("GET", "/api/logs/export?format=csv", Permissions.Read, HttpStatusCode.OK),
        // no entry 0: a permitted caller gets past authorization to the 404
        new("GET", "/api/logs/0/dry-run-event", Permissions.Read, HttpStatusCode.NotFound),
        // no version 999: a permitted caller gets past authorization to the 404
        new("POST", "/api/rulesets/versions/999/restore", Permissions.RulesWrite, HttpStatusCode.NotFound),
        // not under /api, but for programs all the same: a scraper gets 401 and 403, never the sign-in page
        new("GET", "/metrics", Permissions.Read, HttpStatusCode.OK),
    ];

    public static TheoryData<Endpoint, string?> Cases()
    {
        var data = new TheoryData<Endpoint, string?>();
        foreach (var endpoint in Endpoints)
        {
            data.Add(endpoint, null);
            foreach (var role in Roles.All) data.Add(endpoint, role);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task AnswersByRole(Endpoint endpoint, string? role)
    {
        using var client = fixture.Factory.CreateClientAs(role);
        using var response = await client.SendAsync(await RequestAsync(endpoint));

        var expected = role is null ? HttpStatusCode.Unauthorized
            : Permissions.IsGranted(role, endpoint.Permission) ? endpoint.Success
            : HttpStatusCode.Forbidden;
        Assert.Equal(expected, response.StatusCode);
        if (expected is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [MemberData(nameof(EndpointsOnly))]
    public async Task RefusesAWrongTokenWith401(Endpoint endpoint)
    {
        using var client = fixture.Factory.CreateClientAs(null);
        client.DefaultRequestHeaders.Authorization = new("Bearer", "not-a-real-token-0000000000");
        using var response = await client.SendAsync(await RequestAsync(endpoint));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    public static TheoryData<Endpoint> EndpointsOnly() => new(Endpoints);

    private async Task<HttpRequestMessage> RequestAsync(Endpoint endpoint) => Request(endpoint, await fixture.CaseIdAsync());

    /// The endpoint's request, `{case}` filled in with an existing Case record.
    public static HttpRequestMessage Request(Endpoint endpoint, string caseId)
    {
        var request = new HttpRequestMessage(new HttpMethod(endpoint.Method), endpoint.Path.Replace("{case}", caseId));
        if (endpoint.Body is not null) request.Content = new StringContent(endpoint.Body, Encoding.UTF8, "application/json");
        return request;
    }
}

/// The same role matrix against a portal on PostgreSQL.
[Collection(PostgresCollection.Name)]
public sealed class ApiAccessMatrixOnPostgresTests(PostgresCluster cluster) : ApiAccessMatrixTests(cluster.SharedPortal(nameof(ApiAccessMatrixOnPostgresTests)));
