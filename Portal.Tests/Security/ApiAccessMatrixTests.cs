using System.Net;
using System.Text;
using Portal.Core.Security;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Security;

/// Every API endpoint, called by every role, anonymously and with a wrong token: 401 without valid credentials,
/// 403 without the permission, the endpoint's own answer with it. Later features add their rows to `Endpoints`.
public sealed class ApiAccessMatrixTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    public sealed record Endpoint(string Method, string Path, string Permission, HttpStatusCode Success, string? Body = null)
    {
        public override string ToString() => $"{Method} {Path}";
    }

    public static readonly Endpoint[] Endpoints =
    [
        new("GET", "/api/me", Permissions.Read, HttpStatusCode.OK),
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
        using var response = await client.SendAsync(Request(endpoint));

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
        using var response = await client.SendAsync(Request(endpoint));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    public static TheoryData<Endpoint> EndpointsOnly() => new(Endpoints);

    private static HttpRequestMessage Request(Endpoint endpoint)
    {
        var request = new HttpRequestMessage(new HttpMethod(endpoint.Method), endpoint.Path);
        if (endpoint.Body is not null) request.Content = new StringContent(endpoint.Body, Encoding.UTF8, "application/json");
        return request;
    }
}
