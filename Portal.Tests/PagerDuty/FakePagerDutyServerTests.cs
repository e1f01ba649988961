using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Portal.Tests.PagerDuty;

/// The fake is only worth its checks: these show that it refuses what PagerDuty documents as wrong.
public sealed class FakePagerDutyServerTests : IAsyncLifetime
{
    private const string GoodAuthorization = "Token token=" + FakePagerDutyServer.DefaultApiKey;
    private const string MinimalCreate = """{"incident":{"type":"incident","title":"T","service":{"id":"PNE3JZM","type":"service_reference"}}}""";

    private FakePagerDutyServer _server = default!;
    private HttpClient _http = default!;

    public async Task InitializeAsync()
    {
        _server = await FakePagerDutyServer.StartAsync();
        _http = new HttpClient { BaseAddress = _server.BaseUrl };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(string method, string path, string? body = null,
        string? authorization = GoodAuthorization, string? accept = FakePagerDutyServer.AcceptHeader, string? contentType = "application/json",
        string? from = FakePagerDutyServer.IntegrationEmail)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
        if (accept is not null) request.Headers.TryAddWithoutValidation("Accept", accept);
        if (from is not null) request.Headers.TryAddWithoutValidation("From", from);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            if (contentType is not null) request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Token token = y_NbAkKc66ryYTWUXYEu")]
    [InlineData("Token y_NbAkKc66ryYTWUXYEu")]
    [InlineData("Bearer y_NbAkKc66ryYTWUXYEu")]
    [InlineData("Token token=wrong")]
    public async Task RefusesAnyOtherAuthorization(string? authorization)
    {
        var (status, body) = await SendAsync("GET", "services", authorization: authorization);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(2006, (int?)body?["error"]?["code"]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("application/json")]
    [InlineData("application/vnd.pagerduty+json; version=2")]
    public async Task RefusesAnyOtherAccept(string? accept)
    {
        Assert.Equal(HttpStatusCode.NotAcceptable, (await SendAsync("GET", "services", accept: accept)).Status);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("text/plain")]
    public async Task RefusesABodyThatIsNotDeclaredJson(string? contentType)
    {
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await SendAsync("POST", "incidents", MinimalCreate, contentType: contentType)).Status);
    }

    [Fact]
    public async Task RefusesAnIncidentWriteWithoutFrom()
    {
        var (status, body) = await SendAsync("POST", "incidents", MinimalCreate, from: null);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(FakePagerDutyServer.MissingFromMessage, (string?)body?["error"]?["message"]);
        Assert.Empty(_server.Incidents);
    }

    [Theory]
    [InlineData("""{"incident":{"type":"incident_reference","title":"T","service":{"id":"PNE3JZM","type":"service_reference"}}}""")]
    [InlineData("""{"incident":{"type":"incident","title":"T","service":{"id":"PNE3JZM","type":"service"}}}""")]
    [InlineData("""{"incident":{"type":"incident","title":"T","service":{"id":"PNE3JZM","type":"service_reference"},"urgency":"urgent"}}""")]
    [InlineData("""{"incident":{"type":"incident","title":"T","service":{"id":"PNE3JZM","type":"service_reference"},"escalationPolicy":{"id":"PT20YPA","type":"escalation_policy_reference"}}}""")]
    [InlineData("""{"incident":{"type":"incident","title":"T","service":{"id":"PNE3JZM","type":"service_reference"},"body":{"type":"incident_body","details":{"a":1}}}}""")]
    [InlineData("""{"incident":{"type":"incident","title":"T","service":{"id":"PNE3JZM","type":"service_reference"},"escalation_policy":{"id":"PT20YPA","type":"escalation_policy_reference"},"assignments":[{"assignee":{"id":"PJ25ZYX","type":"user_reference"}}]}}""")]
    [InlineData("""{"incident":{"type":"incident","title":"T","service":{"id":"PNOPE00","type":"service_reference"}}}""")]
    [InlineData("""{"type":"incident","title":"T","service":{"id":"PNE3JZM","type":"service_reference"}}""")]
    public async Task RefusesACreateBodyPagerDutyWouldRefuse(string body)
    {
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync("POST", "incidents", body)).Status);
        Assert.Empty(_server.Incidents);
    }

    [Fact]
    public async Task RefusesASecondOpenIncidentWithTheSameKeyAsPagerDutyDoes()
    {
        const string keyed = """{"incident":{"type":"incident","title":"T","service":{"id":"PNE3JZM","type":"service_reference"},"incident_key":"k1"}}""";
        Assert.Equal(HttpStatusCode.Created, (await SendAsync("POST", "incidents", keyed)).Status);

        var (status, body) = await SendAsync("POST", "incidents", keyed);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(FakePagerDutyServer.DuplicateKeyError, (string?)body?["error"]?["errors"]?[0]);
        Assert.Single(_server.Incidents);
    }

    [Fact]
    public async Task RefusesPagesPastTheOffsetLimit()
    {
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync("GET", "services?limit=100&offset=9901")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync("GET", "services?limit=101")).Status);
    }

    [Fact]
    public async Task RecordsEveryRequest()
    {
        await SendAsync("POST", "incidents", MinimalCreate);
        var request = Assert.Single(_server.Requests);
        Assert.Equal(("POST", "/incidents", MinimalCreate), (request.Method, request.Path, request.Body));
        Assert.Equal(FakePagerDutyServer.IntegrationEmail, request.Header("from"));
    }

    private const string KeyedCreate = """{"incident":{"type":"incident","title":"T","service":{"id":"PNE3JZM","type":"service_reference"},"incident_key":"held"}}""";

    /// A create sent on a client of its own, so that the test can drop the connection mid-call (as a killed caller does).
    private (Task<HttpResponseMessage> Answer, HttpClient Client, CancellationTokenSource Cancel) SendHeldCreate()
    {
        var client = new HttpClient { BaseAddress = _server.BaseUrl };
        var request = new HttpRequestMessage(HttpMethod.Post, "incidents") { Content = new StringContent(KeyedCreate, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Authorization", GoodAuthorization);
        request.Headers.TryAddWithoutValidation("Accept", FakePagerDutyServer.AcceptHeader);
        request.Headers.TryAddWithoutValidation("From", FakePagerDutyServer.IntegrationEmail);
        var cancel = new CancellationTokenSource();
        return (client.SendAsync(request, cancel.Token), client, cancel);
    }

    [Fact]
    public async Task HoldNextCarriesOutTheCreateAndWithholdsOnlyItsAnswer()
    {
        var held = _server.HoldNext("POST", "incidents", carryOut: true);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync("GET", "services")).Status);  // other calls pass
        var (answer, client, cancel) = SendHeldCreate();
        using (client)
        using (cancel)
        {
            await held.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Single(_server.Incidents);
            Assert.False(answer.IsCompleted);

            _server.ReleaseHangs();
            using var response = await answer.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }
        Assert.Single(_server.Incidents);
    }

    [Fact]
    public async Task HoldNextKeepsTheCarriedOutCreateWhenTheCallerGoesAway()
    {
        var held = _server.HoldNext("POST", "incidents", carryOut: true);
        var (answer, client, cancel) = SendHeldCreate();
        using (client)
        using (cancel)
        {
            await held.WaitAsync(TimeSpan.FromSeconds(10));
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => answer);
        }

        // the caller's retry meets PagerDuty's de-duplication by incident_key
        var (status, body) = await SendAsync("POST", "incidents", KeyedCreate);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(FakePagerDutyServer.DuplicateKeyError, (string?)body?["error"]?["errors"]?[0]);
        Assert.Single(_server.Incidents);
    }

    [Fact]
    public async Task HoldNextWithoutCarryingOutDoesNothingWhenTheCallerGoesAway()
    {
        var held = _server.HoldNext("POST", "incidents", carryOut: false);
        var (answer, client, cancel) = SendHeldCreate();
        using (client)
        using (cancel)
        {
            await held.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Empty(_server.Incidents);
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => answer);
        }

        // nothing was made under the key, so the retry creates the incident
        Assert.Equal(HttpStatusCode.Created, (await SendAsync("POST", "incidents", KeyedCreate)).Status);
        Assert.Single(_server.Incidents);
    }
}
