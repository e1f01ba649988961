using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Portal.Core.PagerDuty;

namespace Portal.Tests.PagerDuty;

public sealed class LivePagerDutyTests : IAsyncLifetime
{
    private const string From = FakePagerDutyServer.IntegrationEmail;
    private static readonly CancellationToken None = CancellationToken.None;

    private FakePagerDutyServer _server = default!;
    private HttpClient _http = default!;
    private LivePagerDuty _pagerDuty = default!;
    private string? _key;

    public async Task InitializeAsync()
    {
        _server = await FakePagerDutyServer.StartAsync();
        _key = _server.ApiKey;
        _http = new HttpClient { BaseAddress = _server.BaseUrl, Timeout = TimeSpan.FromSeconds(10) };
        _pagerDuty = new LivePagerDuty(_http, KeyAsync);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private Task<string?> KeyAsync(CancellationToken cancellationToken) => Task.FromResult(_key);

    private Task<PdIncident> CreateAsync(string title = "Checkout is down", string? key = null) =>
        _pagerDuty.CreateIncidentAsync(new PdCreateIncident(title, "PNE3JZM", IncidentKey: key), From, None);

    private static void AssertJson(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"expected {expected}\nactual   {actual?.ToJsonString()}");

    [Fact]
    public async Task SendsTheDocumentedHeadersOnEveryCall()
    {
        var incident = await CreateAsync();
        await _pagerDuty.GetIncidentAsync(incident.Id, None);
        await _pagerDuty.UpdateIncidentAsync(incident.Id, new PdUpdateIncident(Status: "acknowledged"), From, None);
        await _pagerDuty.AddNoteAsync(incident.Id, "Looking", From, None);
        await _pagerDuty.ListNotesAsync(incident.Id, None);
        await _pagerDuty.AddRespondersAsync(incident.Id, FakePagerDutyServer.IntegrationUserId, ["PJ25ZYX"], [], "Help", From, None);
        await _pagerDuty.AddStatusUpdateAsync(incident.Id, "Still down", From, None);
        await _pagerDuty.RunIncidentWorkflowAsync("PSFEVL7", incident.Id, None);
        await _pagerDuty.RunAutomationActionAsync("01DA2MLYN0J5EFC1LKWXUKDDKT", incident.Id, None);
        await _pagerDuty.FindIncidentByKeyAsync("none", None);
        await _pagerDuty.ListServicesAsync(None);
        await _pagerDuty.ListEscalationPoliciesAsync(None);
        await _pagerDuty.ListPrioritiesAsync(None);
        await _pagerDuty.ListUsersAsync(None);
        await _pagerDuty.FindUserIdByEmailAsync(From, None);

        var requests = _server.Requests;
        Assert.Equal(15, requests.Count);
        foreach (var request in requests)
        {
            Assert.Equal("Token token=" + FakePagerDutyServer.DefaultApiKey, request.Header("Authorization"));
            Assert.Equal("application/vnd.pagerduty+json;version=2", request.Header("Accept"));
            Assert.Equal(request.Method == "GET" ? null : "application/json", request.Header("Content-Type"));
        }
        var incidentWrites = requests.Where(r => r.Method == "PUT" || (r.Method == "POST" && (r.Path == "/incidents" || r.Path.EndsWith("/notes") || r.Path.EndsWith("/status_updates"))));
        Assert.Equal(4, incidentWrites.Count());
        Assert.All(incidentWrites, r => Assert.Equal(From, r.Header("From")));
        Assert.All(requests.Where(r => r.Method == "GET"), r => Assert.Null(r.Header("From")));
    }

    [Fact]
    public async Task CreatesAnIncidentWithTheDocumentedBody()
    {
        var incident = await _pagerDuty.CreateIncidentAsync(
            new PdCreateIncident("Checkout is down", "PNE3JZM", "high", "P1", "PT20YPA", Details: "Case 00001026", IncidentKey: "case-00001026"), From, None);

        var request = Assert.Single(_server.Requests);
        Assert.Equal(("POST", "/incidents"), (request.Method, request.Path));
        AssertJson("""
            {"incident":{"type":"incident","title":"Checkout is down","service":{"id":"PNE3JZM","type":"service_reference"},"urgency":"high",
             "priority":{"id":"P1","type":"priority_reference"},"escalation_policy":{"id":"PT20YPA","type":"escalation_policy_reference"},
             "body":{"type":"incident_body","details":"Case 00001026"},"incident_key":"case-00001026"}}
            """, request.Json);

        var stored = Assert.Single(_server.Incidents);
        Assert.Equal(stored.Id, incident.Id);
        Assert.Equal((1L, "Checkout is down", "triggered", "high"), (incident.Number, incident.Title, incident.Status, incident.Urgency));
        Assert.Equal(("P1", "P1", "PNE3JZM", "Checkout"), (incident.PriorityId, incident.PriorityName, incident.ServiceId, incident.ServiceName));
        Assert.Equal(("PT20YPA", "Checkout on call"), (incident.EscalationPolicyId, incident.EscalationPolicyName));
        Assert.Equal(("case-00001026", $"https://portal-test.pagerduty.com/incidents/{stored.Id}"), (incident.IncidentKey, incident.HtmlUrl));
        Assert.Equal(["Ben"], incident.AssigneeNames);
        Assert.Equal(DateTimeKind.Utc, incident.CreatedUtc.Kind);
        Assert.InRange(incident.CreatedUtc, DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task CreatesADirectlyAssignedIncidentWithOnlyTheGivenMembers()
    {
        var incident = await _pagerDuty.CreateIncidentAsync(new PdCreateIncident("Refunds stuck", "PNE3JZM", AssigneeIds: ["PJ25ZYX"]), From, None);

        AssertJson("""
            {"incident":{"type":"incident","title":"Refunds stuck","service":{"id":"PNE3JZM","type":"service_reference"},
             "assignments":[{"assignee":{"id":"PJ25ZYX","type":"user_reference"}}]}}
            """, Assert.Single(_server.Requests).Json);
        Assert.Equal(["Dana"], incident.AssigneeNames);
        Assert.Null(incident.PriorityId);
    }

    [Fact]
    public async Task RefusesAssigneesTogetherWithAnEscalationPolicyWithoutCallingPagerDuty()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _pagerDuty.CreateIncidentAsync(
            new PdCreateIncident("Both", "PNE3JZM", EscalationPolicyId: "PT20YPA", AssigneeIds: ["PJ25ZYX"]), From, None));
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task ReportsPagerDutysWordsForAnUnknownService()
    {
        var error = await Assert.ThrowsAsync<PagerDutyException>(() =>
            _pagerDuty.CreateIncidentAsync(new PdCreateIncident("Nowhere", "PNOPE00"), From, None));
        Assert.Equal((400, 2001, false), (error.StatusCode, error.ErrorCode, error.Transient));
        Assert.Equal("Invalid Input Provided: Service not found.", error.Describe());
    }

    [Fact]
    public async Task ReturnsTheOpenIncidentWhenTheKeyIsAlreadyUsed()
    {
        var first = await CreateAsync(key: "case-42");
        var second = await CreateAsync("Checkout is down again", key: "case-42");

        Assert.Equal(first.Id, second.Id);
        Assert.Single(_server.Incidents);
        var lookup = _server.Requests[^1];
        Assert.Equal(("GET", "/incidents"), (lookup.Method, lookup.Path));
        Assert.Contains("incident_key=case-42", lookup.Query);
        Assert.Contains("date_range=all", lookup.Query);
        Assert.Contains("statuses[]=resolved", Uri.UnescapeDataString(lookup.Query));
    }

    [Fact]
    public async Task CreatesANewIncidentWhenTheKeyBelongsToAResolvedOne()
    {
        var old = _server.SeedIncident("Old", status: "resolved", incidentKey: "case-7");
        var created = await CreateAsync(key: "case-7");

        Assert.NotEqual(old.Id, created.Id);
        Assert.Equal(2, _server.Incidents.Count);
    }

    [Fact]
    public async Task FindsAnIncidentByKeyOlderThanAMonthAndPrefersAnOpenOne()
    {
        _server.SeedIncident("Long ago", status: "resolved", incidentKey: "case-9", createdUtc: DateTime.UtcNow.AddMonths(-3));
        var old = await _pagerDuty.FindIncidentByKeyAsync("case-9", None);
        Assert.Equal(("Long ago", "resolved"), (old?.Title, old?.Status));

        var open = _server.SeedIncident("Again", status: "acknowledged", incidentKey: "case-9", createdUtc: DateTime.UtcNow.AddMonths(-2));
        Assert.Equal(open.Id, (await _pagerDuty.FindIncidentByKeyAsync("case-9", None))?.Id);
        Assert.Null(await _pagerDuty.FindIncidentByKeyAsync("case-10", None));
    }

    [Fact]
    public async Task UpdatesWithTheDocumentedBody()
    {
        var incident = await CreateAsync();
        var updated = await _pagerDuty.UpdateIncidentAsync(incident.Id,
            new PdUpdateIncident("resolved", "Fixed the cache", "P2", "low", "Checkout was down", "P482651", null, 2), From, None);

        var request = _server.Requests[^1];
        Assert.Equal(("PUT", $"/incidents/{incident.Id}"), (request.Method, request.Path));
        AssertJson("""
            {"incident":{"type":"incident_reference","status":"resolved","resolution":"Fixed the cache","priority":{"id":"P2","type":"priority_reference"},
             "urgency":"low","title":"Checkout was down","escalation_policy":{"id":"P482651","type":"escalation_policy_reference"},"escalation_level":2}}
            """, request.Json);
        Assert.Equal(("resolved", "P2", "low", "Checkout was down", "Payments on call"),
            (updated.Status, updated.PriorityName, updated.Urgency, updated.Title, updated.EscalationPolicyName));

        await _pagerDuty.UpdateIncidentAsync(incident.Id, new PdUpdateIncident(AssigneeIds: ["PJ25ZYX"]), From, None);
        AssertJson("""{"incident":{"type":"incident_reference","assignments":[{"assignee":{"id":"PJ25ZYX","type":"user_reference"}}]}}""",
            _server.Requests[^1].Json);
    }

    [Fact]
    public async Task TreatsAlreadyAcknowledgedAsDone()
    {
        var incident = await CreateAsync();
        await _pagerDuty.UpdateIncidentAsync(incident.Id, new PdUpdateIncident(Status: "acknowledged"), From, None);

        var again = await _pagerDuty.UpdateIncidentAsync(incident.Id, new PdUpdateIncident(Status: "acknowledged"), From, None);

        Assert.Equal("acknowledged", again.Status);
        Assert.Equal(["POST", "PUT", "PUT", "GET"], _server.Requests.Select(r => r.Method));
    }

    [Fact]
    public async Task TreatsAlreadyResolvedAsDone()
    {
        var incident = _server.SeedIncident("Done", status: "resolved");
        var again = await _pagerDuty.UpdateIncidentAsync(incident.Id, new PdUpdateIncident(Status: "resolved"), From, None);
        Assert.Equal("resolved", again.Status);
    }

    [Fact]
    public async Task AddsNotesAndReadsThemBack()
    {
        var incident = await CreateAsync();
        var note = await _pagerDuty.AddNoteAsync(incident.Id, "Customer called again", From, None);

        AssertJson("""{"note":{"content":"Customer called again"}}""", _server.Requests[^1].Json);
        Assert.Equal(("Customer called again", "Portal Integration"), (note.Content, note.UserName));
        var listed = Assert.Single(await _pagerDuty.ListNotesAsync(incident.Id, None));
        Assert.Equal((note.Id, note.Content), (listed.Id, listed.Content));
    }

    [Fact]
    public async Task SendsResponderStatusWorkflowAndAutomationBodies()
    {
        var incident = await CreateAsync();

        await _pagerDuty.AddRespondersAsync(incident.Id, FakePagerDutyServer.IntegrationUserId, ["PJ25ZYX"], ["P482651"], "Please help", From, None);
        AssertJson($$$"""
            {"requester_id":"{{{FakePagerDutyServer.IntegrationUserId}}}","message":"Please help","responder_request_targets":[
             {"responder_request_target":{"id":"PJ25ZYX","type":"user_reference"}},
             {"responder_request_target":{"id":"P482651","type":"escalation_policy_reference"}}]}
            """, _server.Requests[^1].Json);
        Assert.Equal($"/incidents/{incident.Id}/responder_requests", _server.Requests[^1].Path);

        await _pagerDuty.AddStatusUpdateAsync(incident.Id, "Engineers are on it", From, None);
        AssertJson("""{"message":"Engineers are on it"}""", _server.Requests[^1].Json);

        await _pagerDuty.RunIncidentWorkflowAsync("PSFEVL7", incident.Id, None);
        Assert.Equal("/incident_workflows/PSFEVL7/instances", _server.Requests[^1].Path);
        AssertJson($$$$"""{"incident_workflow_instance":{"incident":{"id":"{{{{incident.Id}}}}","type":"incident_reference"}}}""", _server.Requests[^1].Json);

        await _pagerDuty.RunAutomationActionAsync("01DA2MLYN0J5EFC1LKWXUKDDKT", incident.Id, None);
        Assert.Equal("/automation_actions/actions/01DA2MLYN0J5EFC1LKWXUKDDKT/invocations", _server.Requests[^1].Path);
        AssertJson($$$$"""{"invocation":{"metadata":{"incident_id":"{{{{incident.Id}}}}"}}}""", _server.Requests[^1].Json);

        var stored = Assert.Single(_server.Incidents);
        Assert.Equal((1, 1, 1, 1), (stored.ResponderRequests.Count, stored.StatusUpdates.Count, stored.WorkflowRuns.Count, stored.AutomationRuns.Count));
    }

    [Fact]
    public async Task ReadsRateLimitResetOn429()
    {
        _server.AnswerNext(FakeAnswer.RateLimited(20));
        var error = await Assert.ThrowsAsync<PagerDutyException>(() => CreateAsync());

        Assert.Equal((429, 2020, true), (error.StatusCode, error.ErrorCode, error.Transient));
        Assert.Equal(TimeSpan.FromSeconds(20), error.RetryAfter);
        Assert.Equal("Rate Limit Exceeded", error.Message);
    }

    [Fact]
    public async Task IgnoresRetryAfterAndToleratesA429WithoutHeadersOrBody()
    {
        _server.AnswerNext(FakeAnswer.RateLimitedWithoutHeaders);
        var bare = await Assert.ThrowsAsync<PagerDutyException>(() => _pagerDuty.ListServicesAsync(None));
        Assert.Equal((429, null, true), (bare.StatusCode, bare.RetryAfter, bare.Transient));
        Assert.Contains("429", bare.Message);

        _server.AnswerNext(new FakeAnswer(429, """{"error":{"message":"Rate Limit Exceeded","code":2020}}""", new Dictionary<string, string> { ["Retry-After"] = "7" }));
        Assert.Null((await Assert.ThrowsAsync<PagerDutyException>(() => _pagerDuty.ListServicesAsync(None))).RetryAfter);
    }

    [Fact]
    public async Task ParsesStringAndArrayErrorBodies()
    {
        var incident = await CreateAsync();

        _server.AnswerNext(FakeAnswer.StringErrors(400, "Invalid Input Provided", 2001, "Note content is too long"));
        var stringErrors = await Assert.ThrowsAsync<PagerDutyException>(() => _pagerDuty.AddNoteAsync(incident.Id, "x", From, None));
        Assert.Equal((400, 2001, false), (stringErrors.StatusCode, stringErrors.ErrorCode, stringErrors.Transient));
        Assert.Equal("Invalid Input Provided: Note content is too long", stringErrors.Describe());

        _server.AnswerNext(FakeAnswer.BareArray(400, "Title cannot be empty.", "Service not found."));
        var array = await Assert.ThrowsAsync<PagerDutyException>(() => CreateAsync());
        Assert.Equal((400, (int?)null), (array.StatusCode, array.ErrorCode));
        Assert.Equal(["Title cannot be empty.", "Service not found."], array.Errors);

        _server.AnswerNext(FakeAnswer.Error(403, "Access Denied", 2010, "Read-only API key"));
        var listed = await Assert.ThrowsAsync<PagerDutyException>(() => CreateAsync());
        Assert.Equal("Access Denied: Read-only API key", listed.Describe());

        _server.AnswerNext(FakeAnswer.NotJson(502, "<html><body>Bad gateway</body></html>"));
        var html = await Assert.ThrowsAsync<PagerDutyException>(() => _pagerDuty.GetIncidentAsync(incident.Id, None));
        Assert.Equal((502, true), (html.StatusCode, html.Transient));
        Assert.Contains("Bad gateway", html.Describe());

        _server.AnswerNext(FakeAnswer.ServerError);
        var serverError = await Assert.ThrowsAsync<PagerDutyException>(() => _pagerDuty.GetIncidentAsync(incident.Id, None));
        Assert.Equal((500, "Internal Server Error", true), (serverError.StatusCode, serverError.Message, serverError.Transient));
    }

    [Fact]
    public async Task ReportsNotFoundInPagerDutysWords()
    {
        var error = await Assert.ThrowsAsync<PagerDutyException>(() => _pagerDuty.GetIncidentAsync("QNOPE", None));
        Assert.Equal((404, 2100, "Not Found", false), (error.StatusCode, error.ErrorCode, error.Message, error.Transient));
    }

    [Fact]
    public async Task PagesThroughServicesUntilMoreIsFalse()
    {
        _server.Services.AddRange(Enumerable.Range(1, 248).Select(i => new FakeEntity($"PS{i:D5}", $"Service {i}")));

        var services = await _pagerDuty.ListServicesAsync(None);

        Assert.Equal(250, services.Count);
        Assert.Equal(new PdReference("PNE3JZM", "Checkout"), services[0]);
        Assert.Equal(["?limit=100&offset=0", "?limit=100&offset=100", "?limit=100&offset=200"], _server.Requests.Select(r => r.Query));
        Assert.All(_server.Requests, r => Assert.Equal("/services", r.Path));
    }

    [Fact]
    public async Task StopsPagingWhereOffsetPlusLimitWouldPassTenThousand()
    {
        _server.Users.AddRange(Enumerable.Range(1, 10050).Select(i => new FakeEntity($"PU{i:D5}", $"User {i}", $"user{i}@portal.test")));

        var users = await _pagerDuty.ListUsersAsync(None);

        Assert.Equal(10000, users.Count);
        Assert.Equal(100, _server.Requests.Count);
        Assert.Equal("?limit=100&offset=9900", _server.Requests[^1].Query);
    }

    [Fact]
    public async Task ListsPrioritiesPoliciesAndUsersByName()
    {
        Assert.Equal(["P1", "P2", "P3", "P4", "P5"], (await _pagerDuty.ListPrioritiesAsync(None)).Select(p => p.Name));
        Assert.Contains(new PdReference("PT20YPA", "Checkout on call"), await _pagerDuty.ListEscalationPoliciesAsync(None));
        Assert.Contains(new PdReference("PJ25ZYX", "Dana", "dana@portal.test"), await _pagerDuty.ListUsersAsync(None)); // a user with the e-mail the integration user is chosen by
    }

    [Fact]
    public async Task FindsAUserOnlyByTheExactEmail()
    {
        Assert.Equal(FakePagerDutyServer.IntegrationUserId, await _pagerDuty.FindUserIdByEmailAsync("Integration@Portal.test", None));
        Assert.Null(await _pagerDuty.FindUserIdByEmailAsync("integration@portal.tes", None));
        Assert.Contains("query=integration%40portal.tes&", _server.Requests[^1].Query);
    }

    [Fact]
    public async Task ReportsATimeoutAsTransient()
    {
        using var http = new HttpClient { BaseAddress = _server.BaseUrl, Timeout = TimeSpan.FromMilliseconds(300) };
        var pagerDuty = new LivePagerDuty(http, KeyAsync);
        _server.AnswerNext(FakeAnswer.Hanging);

        var error = await Assert.ThrowsAsync<PagerDutyException>(() => pagerDuty.ListServicesAsync(None));

        Assert.Null(error.StatusCode);
        Assert.True(error.Transient);
        Assert.IsAssignableFrom<OperationCanceledException>(error.InnerException);
        // the next call, with an ordinary timeout (a busy machine may take longer than 300 ms), is answered
        Assert.NotEmpty(await _pagerDuty.ListServicesAsync(None));
    }

    [Fact]
    public async Task LetsTheCallersCancellationThrough()
    {
        _server.AnswerNext(FakeAnswer.Hanging);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _pagerDuty.ListServicesAsync(cancel.Token));

        Assert.Equal(cancel.Token, error.CancellationToken);
    }

    [Fact]
    public async Task AnswersAHangingRequestOnceReleased()
    {
        _server.AnswerNext(FakeAnswer.Hanging);
        var listing = _pagerDuty.ListPrioritiesAsync(None);
        // the request has reached the fake, which holds it: the call must still be waiting
        for (var deadline = DateTime.UtcNow.AddSeconds(10); _server.Requests.Count == 0; await Task.Delay(20))
            Assert.True(DateTime.UtcNow < deadline, "the request never reached the fake PagerDuty");
        Assert.False(listing.IsCompleted);

        _server.ReleaseHangs();

        Assert.Equal(5, (await listing).Count);
    }

    [Fact]
    public async Task ReportsAnUnreachablePagerDutyAsTransient()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };

        var error = await Assert.ThrowsAsync<PagerDutyException>(() => new LivePagerDuty(http, KeyAsync).ListServicesAsync(None));

        Assert.Equal((null, true), (error.StatusCode, error.Transient));
        Assert.IsType<HttpRequestException>(error.InnerException);
    }

    [Fact]
    public async Task ReadsTheKeyOnEveryRequestAndNeverReportsIt()
    {
        Assert.NotEmpty(await _pagerDuty.ListPrioritiesAsync(None));

        _server.ApiKey = "u+rotated-key-000000";
        var refused = await Assert.ThrowsAsync<PagerDutyException>(() => _pagerDuty.ListPrioritiesAsync(None));
        Assert.Equal((401, 2006, "Authentication failed", false), (refused.StatusCode, refused.ErrorCode, refused.Message, refused.Transient));
        Assert.DoesNotContain(FakePagerDutyServer.DefaultApiKey, refused.Describe());

        _key = "u+rotated-key-000000";
        Assert.NotEmpty(await _pagerDuty.ListPrioritiesAsync(None));
        Assert.Equal("Token token=u+rotated-key-000000", _server.Requests[^1].Header("Authorization"));
    }

    [Fact]
    public async Task FailsWithoutAKeyWithoutCallingPagerDuty()
    {
        _key = null;
        var error = await Assert.ThrowsAsync<PagerDutyException>(() => _pagerDuty.ListServicesAsync(None));
        Assert.Equal((401, false), (error.StatusCode, error.Transient));
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task ChecksTheConnectionAndNamesWhatFailed()
    {
        var ok = await _pagerDuty.CheckConnectionAsync(From, None);
        Assert.True(ok.Ok, ok.Message);
        Assert.Contains(FakePagerDutyServer.IntegrationUserId, ok.Message);

        var unknownUser = await _pagerDuty.CheckConnectionAsync("nobody@portal.test", None);
        Assert.False(unknownUser.Ok);
        Assert.Contains("API key works", unknownUser.Message);
        Assert.Contains("nobody@portal.test", unknownUser.Message);

        var noEmail = await _pagerDuty.CheckConnectionAsync("", None);
        Assert.False(noEmail.Ok);
        Assert.Contains("no From e-mail", noEmail.Message);

        _key = "wrong-key";
        var badKey = await _pagerDuty.CheckConnectionAsync(From, None);
        Assert.False(badKey.Ok);
        Assert.Contains("API key", badKey.Message);
        Assert.Contains("Authentication failed", badKey.Message);
        Assert.DoesNotContain("wrong-key", badKey.Message);

        _key = null;
        Assert.Equal(new PdConnectionCheck(false, "No PagerDuty API key is configured."), await _pagerDuty.CheckConnectionAsync(From, None));

        _key = _server.ApiKey;
        _server.AnswerNext(FakeAnswer.ServerError);
        var down = await _pagerDuty.CheckConnectionAsync(From, None);
        Assert.False(down.Ok);
        Assert.Contains("500", down.Message);
        Assert.Contains("Internal Server Error", down.Message);
    }

    [Theory]
    [InlineData("US", null, "https://api.pagerduty.com/incidents")]
    [InlineData("EU", null, "https://api.eu.pagerduty.com/incidents")]
    [InlineData("eu", null, "https://api.eu.pagerduty.com/incidents")]
    [InlineData("EU", "http://127.0.0.1:5099/pd", "http://127.0.0.1:5099/pd/incidents")]
    public void UsesTheEuBaseUrlForTheEuRegion(string region, string? baseUrl, string incidentsUrl)
    {
        var options = new PagerDutyOptions { Region = region, BaseUrl = baseUrl };
        // LivePagerDuty sends relative paths, so the base URL's own path is kept.
        Assert.Equal(incidentsUrl, new Uri(options.ResolveBaseUrl(), "incidents").ToString());
    }

    [Fact]
    public async Task CallsTheConfiguredBaseUrl()
    {
        using var http = new HttpClient { BaseAddress = new PagerDutyOptions { Region = "EU", BaseUrl = _server.BaseUrl.ToString() }.ResolveBaseUrl() };
        Assert.NotEmpty(await new LivePagerDuty(http, KeyAsync).ListServicesAsync(None));
        Assert.Equal(_server.BaseUrl.Port, new Uri(http.BaseAddress!, "services").Port);
    }
}
