using System.Globalization;
using System.Net.Mail;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Portal.Tests.PagerDuty;

public sealed record FakeRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body)
{
    /// When the fake received it (its own clock): for checks of the request rate over time windows.
    public DateTime ReceivedUtc { get; init; } = DateTime.UtcNow;
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
    public JsonNode? Json => Body.Length == 0 ? null : JsonNode.Parse(Body);
    public string PathAndQuery => Path + Query;
}

/// A scripted answer that replaces the fake's own for the next requests.
public sealed record FakeAnswer(int Status, string? Body, IReadOnlyDictionary<string, string>? Headers = null, bool Hang = false)
{
    public static FakeAnswer RateLimited(int resetSeconds) => new(429, """{"error":{"message":"Rate Limit Exceeded","code":2020}}""",
        new Dictionary<string, string> { ["ratelimit-limit"] = "960", ["ratelimit-remaining"] = "0", ["ratelimit-reset"] = resetSeconds.ToString(CultureInfo.InvariantCulture) });
    public static FakeAnswer RateLimitedWithoutHeaders { get; } = new(429, "");
    public static FakeAnswer ServerError { get; } = new(500, """{"error":{"message":"Internal Server Error","code":5000}}""");
    public static FakeAnswer BareArray(int status, params string[] errors) => new(status, new JsonArray(errors.Select(e => (JsonNode)e).ToArray()).ToJsonString());
    public static FakeAnswer StringErrors(int status, string message, int code, string errors) =>
        new(status, new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["code"] = code, ["errors"] = errors } }.ToJsonString());
    public static FakeAnswer Error(int status, string message, int code, params string[] errors) => new(status, ErrorBody(message, code, errors));
    public static FakeAnswer NotJson(int status, string text) => new(status, text, new Dictionary<string, string> { ["Content-Type"] = "text/html" });
    public static FakeAnswer Hanging { get; } = new(0, null, Hang: true);

    internal static string ErrorBody(string message, int code, IReadOnlyList<string>? errors = null)
    {
        var error = new JsonObject { ["message"] = message, ["code"] = code };
        if (errors is { Count: > 0 }) error["errors"] = new JsonArray(errors.Select(e => (JsonNode)e).ToArray());
        return new JsonObject { ["error"] = error }.ToJsonString();
    }
}

public sealed record FakeEntity(string Id, string Name, string? Email = null, string? EscalationPolicyId = null, string? UserId = null);

/// A business service as PagerDuty reports its impact: the test sets whether it is impacted and by which priority at most.
public sealed record FakeBusinessService(string Id, string Name, bool Impacted = false, string? HighestImpactingPriorityId = null);

public sealed class FakeIncident
{
    public required string Id { get; init; }
    public required long Number { get; init; }
    public required string Title { get; set; }
    public required string ServiceId { get; set; }
    public string Status { get; set; } = "triggered";
    public string Urgency { get; set; } = "high";
    public string? PriorityId { get; set; }
    public string? EscalationPolicyId { get; set; }
    public List<string> AssigneeIds { get; set; } = [];
    public string? IncidentKey { get; init; }
    public string? Details { get; init; }
    public int EscalationLevel { get; set; } = 1;
    public string? Resolution { get; set; }
    public string? ConferenceNumber { get; set; }
    public string? ConferenceUrl { get; set; }
    public Dictionary<string, JsonNode?> CustomFieldValues { get; } = [];
    public DateTime CreatedUtc { get; init; } = DateTime.UtcNow;
    public List<(string Id, string Content, string UserId, DateTime CreatedUtc)> Notes { get; } = [];
    public List<string> StatusUpdates { get; } = [];
    /// Log entries the incident's changes wrote (besides its trigger and its notes, which are derived when listed).
    public List<(string Type, string Summary, DateTime CreatedUtc)> LogEntries { get; } = [];
    public List<JsonNode> ResponderRequests { get; } = [];
    public List<string> WorkflowRuns { get; } = [];
    public List<string> AutomationRuns { get; } = [];
    public List<(string ActionId, DateTime CreatedUtc)> Invocations { get; } = [];
}

/// A strict PagerDuty REST API v2 on a loopback Kestrel port: it answers the calls Portal makes, refuses a request the
/// way PagerDuty does when a header or body departs from the documentation, and records every request.
/// Error wording follows PagerDuty where it is known; the fake's own strictness (Accept, Content-Type, unknown members)
/// uses PagerDuty's error shape with wording of its own.
public sealed class FakeSubscription(string id, string url, string filterType, string? filterId, List<string> events, string secret)
{
    public string Id { get; } = id;
    public string Url { get; } = url;
    public string FilterType { get; } = filterType;
    public string? FilterId { get; } = filterId;
    public List<string> Events { get; } = events;
    public string Secret { get; } = secret;
    public bool TemporarilyDisabled { get; set; }
}

public sealed class FakePagerDutyServer : IAsyncDisposable
{
    public const string DefaultApiKey = "y_NbAkKc66ryYTWUXYEu";
    public const string AcceptHeader = "application/vnd.pagerduty+json;version=2";
    public const string IntegrationEmail = "integration@portal.test";
    public const string IntegrationUserId = "PXPGF42";
    public const string DuplicateKeyError = "Open incident with matching dedup key already exists on this service";
    public const string MissingFromMessage = "You must specify a user's email address in the \"From\" header";

    private static readonly HashSet<string> CreateMembers =
        ["type", "title", "service", "priority", "urgency", "incident_key", "body", "incident_type", "escalation_policy", "assignments", "conference_bridge"];
    private static readonly HashSet<string> UpdateMembers =
        ["type", "status", "resolution", "priority", "urgency", "title", "escalation_level", "assignments", "escalation_policy", "incident_type", "conference_bridge", "service"];

    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly List<FakeRequest> _requests = [];
    private readonly Queue<FakeAnswer> _scripted = new();
    private readonly List<FakeHold> _holds = [];
    private readonly List<FakeIncident> _incidents = [];
    private readonly CancellationTokenSource _disposed = new();
    private CancellationTokenSource _release = new();
    private long _nextNumber = 1;
    private int _nextId = 1;

    private FakePagerDutyServer(WebApplication app, string apiKey)
    {
        _app = app;
        ApiKey = apiKey;
        app.Run(HandleAsync);
    }

    public static async Task<FakePagerDutyServer> StartAsync(string apiKey = DefaultApiKey)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "FakePagerDuty" });
        // The portal's appsettings.json sits in the test output; none of it (Kestrel endpoints, say) may reach the fake.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var server = new FakePagerDutyServer(builder.Build(), apiKey);
        await server._app.StartAsync();
        var address = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    public Uri BaseUrl { get; private set; } = default!;

    /// The portal's settings for the live API at this fake (key, base URL, integration e-mail), plus `more`.
    public Dictionary<string, string?> PortalSettings(params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["PagerDuty:ApiKey"] = DefaultApiKey,
            ["PagerDuty:BaseUrl"] = BaseUrl.ToString(),
            ["PagerDuty:FromEmail"] = IntegrationEmail,
        };
        foreach (var (key, value) in more) settings[key] = value;
        return settings;
    }

    /// The key a request must carry as `Authorization: Token token=<key>`; tests may change it while the server runs.
    public string ApiKey { get; set; }

    public List<FakeEntity> Services { get; } =
    [
        new("PNE3JZM", "Checkout", EscalationPolicyId: "PT20YPA"),
        new("PWIXJZS", "Payments", EscalationPolicyId: "P482651"),
    ];

    public List<FakeEntity> EscalationPolicies { get; } =
    [
        new("PT20YPA", "Checkout on call", UserId: "PVE0ZR9"),
        new("P482651", "Payments on call", UserId: IntegrationUserId),
    ];

    public List<FakeEntity> Priorities { get; } = [new("P1", "P1"), new("P2", "P2"), new("P3", "P3"), new("P4", "P4"), new("P5", "P5")];

    public List<FakeEntity> Users { get; } =
    [
        new(IntegrationUserId, "Portal Integration", IntegrationEmail),
        new("PVE0ZR9", "Ben", "ben@portal.test"),
        new("PJ25ZYX", "Dana", "dana@portal.test"),
    ];

    public HashSet<string> IncidentWorkflows { get; } = ["PSFEVL7"];

    /// The account's incident custom fields: name → data type (`string`, `integer`, `float`, `boolean`, `url`), and
    /// whether it takes several values.
    public Dictionary<string, (string DataType, bool Multi)> CustomFields { get; } = new()
    {
        ["environment"] = ("string", false), ["region"] = ("string", true), ["affected_users"] = ("integer", false), ["customer_facing"] = ("boolean", false),
    };
    public HashSet<string> AutomationActions { get; } = ["01DA2MLYN0J5EFC1LKWXUKDDKT"];

    public IReadOnlyList<FakeRequest> Requests
    {
        get { lock (_gate) return _requests.ToList(); }
    }

    public IReadOnlyList<FakeIncident> Incidents
    {
        get { lock (_gate) return _incidents.ToList(); }
    }

    /// Answers the next `count` requests with `answer` instead of handling them (after recording them).
    public void AnswerNext(FakeAnswer answer, int count = 1)
    {
        lock (_gate)
        {
            for (var i = 0; i < count; i++) _scripted.Enqueue(answer);
        }
    }

    /// Holds the next `method path` request (say `POST /incidents`) until `ReleaseHangs`, whatever else comes first; the
    /// task completes once that request has arrived. With `carryOut`, the fake first does what the request asks (the
    /// incident exists, with its `incident_key`) and only withholds the answer: PagerDuty did the work and the answer
    /// was lost, as when the caller dies mid-call. Without it, nothing is done unless the hold is released. A caller
    /// that goes away while held gets no answer.
    public Task<FakeRequest> HoldNext(string method, string path, bool carryOut)
    {
        var hold = new FakeHold(method.ToUpperInvariant(), "/" + path.TrimStart('/'), carryOut);
        lock (_gate) _holds.Add(hold);
        return hold.Arrived.Task;
    }

    /// Lets hanging requests go on to their normal answer.
    public void ReleaseHangs()
    {
        lock (_gate)
        {
            _release.Cancel();
            _release = new CancellationTokenSource();
        }
    }

    public FakeIncident SeedIncident(string title, string serviceId = "PNE3JZM", string status = "triggered", string? incidentKey = null,
        DateTime? createdUtc = null)
    {
        lock (_gate)
        {
            var incident = new FakeIncident
            {
                Id = NewId(), Number = _nextNumber++, Title = title, ServiceId = serviceId, Status = status, IncidentKey = incidentKey,
                CreatedUtc = createdUtc ?? DateTime.UtcNow, EscalationPolicyId = Find(Services, serviceId)?.EscalationPolicyId,
            };
            _incidents.Add(incident);
            return incident;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _disposed.CancelAsync();
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2))) await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
        _disposed.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        string body;
        using (var reader = new StreamReader(request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync(context.RequestAborted);
        }
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var recorded = new FakeRequest(request.Method, request.Path.Value ?? "/", request.QueryString.Value ?? "", headers, body);

        FakeAnswer? scripted = null;
        FakeHold? hold;
        CancellationToken release;
        lock (_gate)
        {
            _requests.Add(recorded);
            hold = _holds.FirstOrDefault(h => h.Method == recorded.Method && h.Path == recorded.Path);
            if (hold is not null) _holds.Remove(hold);
            else _scripted.TryDequeue(out scripted);
            release = _release.Token;
        }

        if (hold is not null)
        {
            var done = hold.CarryOut ? Handle(recorded) : default;
            hold.Arrived.TrySetResult(recorded);
            if (!await WaitForReleaseAsync(context, release)) return;
            await AnswerAsync(context, hold.CarryOut ? done : Handle(recorded));
            return;
        }

        if (scripted is { Hang: true })
        {
            if (!await WaitForReleaseAsync(context, release)) return;
            scripted = null;
        }

        await AnswerAsync(context, scripted is not null ? (scripted.Status, scripted.Body, scripted.Headers) : Handle(recorded));
    }

    /// Waits until `ReleaseHangs`: true then; false (and the connection dropped) when the caller went away or the fake stops.
    private async Task<bool> WaitForReleaseAsync(HttpContext context, CancellationToken release)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(release, context.RequestAborted, _disposed.Token);
        try
        {
            await Task.Delay(Timeout.Infinite, wait.Token);
        }
        catch (OperationCanceledException) when (release.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            context.Abort();
        }
        return false;
    }

    private static async Task AnswerAsync(HttpContext context, (int Status, string? Body, IReadOnlyDictionary<string, string>? Headers) reply)
    {
        var (status, answer, answerHeaders) = reply;
        context.Response.StatusCode = status;
        foreach (var (name, value) in answerHeaders ?? new Dictionary<string, string>()) context.Response.Headers[name] = value;
        if (!string.IsNullOrEmpty(answer))
        {
            if (!context.Response.Headers.ContainsKey("Content-Type")) context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync(answer);
        }
    }

    private (int, string?, IReadOnlyDictionary<string, string>?) Handle(FakeRequest request)
    {
        try
        {
            var reply = Route(request);
            return (reply.Status, reply.Body, null);
        }
        catch (FakeRefusal refusal)
        {
            return (refusal.Status, refusal.Body, null);
        }
    }

    private Reply Route(FakeRequest request)
    {
        var authorization = request.Header("Authorization");
        if (authorization != "Token token=" + ApiKey) throw new FakeRefusal(401, FakeAnswer.ErrorBody("Authentication failed", 2006));
        if (request.Header("Accept") != AcceptHeader)
        {
            throw new FakeRefusal(406, FakeAnswer.ErrorBody("Not Acceptable", 2001, [$"Accept must be exactly '{AcceptHeader}'"]));
        }

        var segments = request.Path.Trim('/').Split('/');
        var query = ParseQuery(request.Query);
        lock (_gate)
        {
            return (request.Method, segments) switch
            {
                ("POST", ["incidents"]) => CreateIncident(request, Body(request)),
                ("GET", ["incidents"]) => ListIncidents(query),
                ("GET", ["incidents", var id]) => Wrap("incident", IncidentJson(FindIncident(id))),
                ("PUT", ["incidents", var id]) => UpdateIncident(request, id, Body(request)),
                ("POST", ["incidents", var id, "notes"]) => AddNote(request, id, Body(request)),
                ("GET", ["incidents", var id, "log_entries"]) => ListLogEntries(id, query),
                ("GET", ["incidents", var id, "notes"]) => Wrap("notes", new JsonArray(FindIncident(id).Notes.Select(n => (JsonNode)NoteJson(n)).ToArray())),
                ("POST", ["incidents", var id, "responder_requests"]) => AddResponders(id, Body(request)),
                ("POST", ["incidents", var id, "status_updates"]) => AddStatusUpdate(request, id, Body(request)),
                ("PUT", ["incidents", var id, "custom_fields", "values"]) => SetCustomFieldValues(id, Body(request)),
                ("POST", ["incident_workflows", var id, "instances"]) => RunWorkflow(id, Body(request)),
                ("POST", ["automation_actions", "actions", var id, "invocations"]) => RunAutomationAction(id, Body(request)),
                ("GET", ["automation_actions", "invocations"]) => ListInvocations(query),
                ("GET", ["services"]) => Page("services", Services.Where(s => Matches(s, query)), query, s => EntityJson(s, "service")),
                ("GET", ["escalation_policies"]) => Page("escalation_policies", EscalationPolicies.Where(s => Matches(s, query)), query, s => EntityJson(s, "escalation_policy")),
                ("GET", ["priorities"]) => Page("priorities", Priorities, query, s => EntityJson(s, "priority")),
                ("GET", ["users"]) => Page("users", Users.Where(s => Matches(s, query)), query, s => EntityJson(s, "user")),
                ("POST", ["webhook_subscriptions"]) => CreateSubscription(Body(request)),
                ("GET", ["webhook_subscriptions"]) => Page("webhook_subscriptions", Subscriptions, query, SubscriptionJson),
                ("POST", ["webhook_subscriptions", var id, "enable"]) => EnableSubscription(id),
                ("POST", ["webhook_subscriptions", var id, "ping"]) => PingSubscription(id),
                ("DELETE", ["webhook_subscriptions", var id]) => DeleteSubscription(id),
                ("GET", ["business_services"]) => Page("business_services", BusinessServices, query, s => EntityJson(new FakeEntity(s.Id, s.Name), "business_service")),
                ("GET", ["business_services", "impacts"]) => BusinessServiceImpacts(request, query),
                ("GET", ["incidents", var id, "business_services", "impacts"]) => IncidentImpactsOf(request, id, query),
                ("GET", ["abilities"]) => """{"abilities":["coordinated_responding","teams","urgencies"]}""",
                _ => throw NotFound(),
            };
        }
    }

    public const string EarlyAccess = "business-impact-early-access";

    /// The account's business services, in the order the test adds them.
    public List<FakeBusinessService> BusinessServices { get; } = [];

    /// Which business services each incident impacts (incident id → business service ids).
    public Dictionary<string, List<string>> IncidentImpacts { get; } = [];

    /// How many business services `GET /business_services/impacts` lists without `ids[]` (PagerDuty: 200).
    public int ImpactsLimit { get; set; } = 200;

    // GET /business_services/impacts: a live list (limit, more; no offset), impacted first, then by name.
    private string BusinessServiceImpacts(FakeRequest request, Dictionary<string, List<string>> query)
    {
        RequireEarlyAccess(request);
        OnlyParameters(query, "additional_fields[]", "ids[]");
        var fields = query.GetValueOrDefault("additional_fields[]") ?? [];
        if (fields.Any(f => f is not ("services.highest_impacting_priority" or "total_impacted_count")))
            throw Invalid("additional_fields[] must be services.highest_impacting_priority or total_impacted_count");
        var ids = query.GetValueOrDefault("ids[]");
        var ranked = BusinessServices.Where(s => ids is null || ids.Contains(s.Id))
            .OrderByDescending(s => s.Impacted).ThenBy(s => s.Name, StringComparer.Ordinal).ToList();
        var listed = ids is null ? ranked.Take(ImpactsLimit).ToList() : ranked;
        var answer = new JsonObject
        {
            ["limit"] = ids is null ? ImpactsLimit : listed.Count,
            ["more"] = listed.Count < ranked.Count,
            ["services"] = new JsonArray(listed.Select(s => (JsonNode)ImpactJson(s, fields.Contains("services.highest_impacting_priority"))).ToArray()),
        };
        if (fields.Contains("total_impacted_count")) answer["additional_fields"] = new JsonObject { ["total_impacted_count"] = ranked.Count(s => s.Impacted) };
        return answer.ToJsonString();
    }

    private string IncidentImpactsOf(FakeRequest request, string id, Dictionary<string, List<string>> query)
    {
        RequireEarlyAccess(request);
        OnlyParameters(query);
        var incident = FindIncident(id);
        var impacted = incident.Status == "resolved" ? [] : IncidentImpacts.GetValueOrDefault(incident.Id) ?? [];
        var services = BusinessServices.Where(s => impacted.Contains(s.Id)).Select(s => (JsonNode)ImpactJson(s with { Impacted = true }, false)).ToArray();
        return new JsonObject { ["services"] = new JsonArray(services) }.ToJsonString();
    }

    private JsonObject ImpactJson(FakeBusinessService service, bool withPriority)
    {
        var json = new JsonObject { ["id"] = service.Id, ["name"] = service.Name, ["type"] = "business_service", ["status"] = service.Impacted ? "impacted" : "not_impacted" };
        if (withPriority)
        {
            var index = Priorities.FindIndex(p => p.Id == service.HighestImpactingPriorityId);
            json["additional_fields"] = new JsonObject
            {
                ["highest_impacting_priority"] = service.Impacted && index >= 0 ? new JsonObject { ["id"] = service.HighestImpactingPriorityId, ["order"] = Priorities.Count - index } : null,
            };
        }
        return json;
    }

    private static void RequireEarlyAccess(FakeRequest request)
    {
        if (request.Header("X-EARLY-ACCESS") != EarlyAccess)
            throw new FakeRefusal(400, FakeAnswer.ErrorBody("Invalid Input Provided", 2001, [$"This endpoint needs the X-EARLY-ACCESS header '{EarlyAccess}'"]));
    }

    private static void OnlyParameters(Dictionary<string, List<string>> query, params string[] allowed)
    {
        var unknown = query.Keys.Where(k => !allowed.Contains(k)).ToList();
        if (unknown.Count > 0) throw Invalid($"Unknown query parameter(s): {string.Join(", ", unknown)}");
    }

    /// Webhook subscriptions as PagerDuty keeps them; `Secret` is only sent back by the create answer.
    public List<FakeSubscription> Subscriptions { get; } = [];

    /// Pings PagerDuty was asked to deliver (subscription ids).
    public List<string> Pings { get; } = [];

    private Reply CreateSubscription(JsonObject body)
    {
        var subscription = body["webhook_subscription"] as JsonObject ?? throw Invalid("webhook_subscription is required");
        if (subscription["type"]?.GetValue<string>() != "webhook_subscription") throw Invalid("type must be webhook_subscription");
        var delivery = subscription["delivery_method"] as JsonObject ?? throw Invalid("delivery_method is required");
        if (delivery["type"]?.GetValue<string>() != "http_delivery_method") throw Invalid("delivery_method.type must be http_delivery_method");
        var url = delivery["url"]?.GetValue<string>() ?? throw Invalid("delivery_method.url is required");
        var filter = subscription["filter"] as JsonObject ?? throw Invalid("filter is required");
        var filterType = filter["type"]?.GetValue<string>();
        if (filterType is not ("account_reference" or "service_reference" or "team_reference")) throw Invalid("filter.type is not valid");
        if (filterType != "account_reference" && filter["id"] is null) throw Invalid("filter.id is required");
        if (subscription["events"] is not JsonArray { Count: > 0 } events) throw Invalid("events are required");
        var created = new FakeSubscription("PWH" + Subscriptions.Count.ToString("D4"), url, filterType, filter["id"]?.GetValue<string>(),
            events.Select(e => e!.GetValue<string>()).ToList(), Convert.ToBase64String(Guid.NewGuid().ToByteArray()));
        Subscriptions.Add(created);
        var json = SubscriptionJson(created);
        ((JsonObject)json["delivery_method"]!)["secret"] = created.Secret;
        return Wrap("webhook_subscription", json);
    }

    private Reply EnableSubscription(string id)
    {
        var subscription = Subscriptions.FirstOrDefault(s => s.Id == id) ?? throw NotFound();
        subscription.TemporarilyDisabled = false;
        return Wrap("webhook_subscription", SubscriptionJson(subscription));
    }

    private Reply PingSubscription(string id)
    {
        _ = Subscriptions.FirstOrDefault(s => s.Id == id) ?? throw NotFound();
        Pings.Add(id);
        return new Reply(202, "");
    }

    private Reply DeleteSubscription(string id)
    {
        var subscription = Subscriptions.FirstOrDefault(s => s.Id == id) ?? throw NotFound();
        Subscriptions.Remove(subscription);
        return new Reply(204, "");
    }

    private static JsonObject SubscriptionJson(FakeSubscription s) => new()
    {
        ["id"] = s.Id,
        ["type"] = "webhook_subscription",
        ["active"] = true,
        ["delivery_method"] = new JsonObject { ["type"] = "http_delivery_method", ["url"] = s.Url, ["temporarily_disabled"] = s.TemporarilyDisabled },
        ["events"] = new JsonArray(s.Events.Select(e => (JsonNode)JsonValue.Create(e)).ToArray()),
        ["filter"] = s.FilterId is null ? new JsonObject { ["type"] = s.FilterType } : new JsonObject { ["type"] = s.FilterType, ["id"] = s.FilterId },
    };

    private Reply CreateIncident(FakeRequest request, JsonObject body)
    {
        RequireFrom(request);
        OnlyMembers(body, ["incident"], "request");
        var incident = Object(body, "incident");
        OnlyMembers(incident, CreateMembers, "incident");
        if (Text(incident, "type") != "incident") throw Invalid("incident.type must be 'incident'");
        var title = Text(incident, "title");
        if (string.IsNullOrWhiteSpace(title)) throw Invalid("Title cannot be empty.");
        var serviceId = ReferenceId(incident, "service", "service_reference") ?? throw Invalid("Service is required.");
        var service = Find(Services, serviceId) ?? throw Invalid("Service not found.");
        var urgency = Urgency(incident);
        var priorityId = ReferenceId(incident, "priority", "priority_reference");
        if (priorityId is not null && Find(Priorities, priorityId) is null) throw new FakeRefusal(400, FakeAnswer.ErrorBody("Invalid Priority", 1020));
        var policyId = ReferenceId(incident, "escalation_policy", "escalation_policy_reference");
        if (policyId is not null && Find(EscalationPolicies, policyId) is null) throw new FakeRefusal(400, FakeAnswer.ErrorBody("Escalation Policy Not Found", 1014));
        var assignees = Assignees(incident);
        if (assignees is not null && policyId is not null) throw Invalid("Assignments cannot be specified if an escalation policy is given.");
        if (assignees is { Count: > 1 }) throw Invalid("Only one assignee is supported.");
        string? details = null;
        if (incident["body"] is not null)
        {
            var incidentBody = incident["body"] as JsonObject ?? throw Invalid("body must be an object");
            OnlyMembers(incidentBody, ["type", "details"], "incident.body");
            if (Text(incidentBody, "type") != "incident_body") throw Invalid("body.type must be 'incident_body'");
            details = Text(incidentBody, "details") ?? throw Invalid("body.details must be a string");
        }
        string? key = null;
        if (incident["incident_key"] is not null) key = Text(incident, "incident_key") ?? throw Invalid("incident_key must be a string");
        if (key is not null && _incidents.Any(i => i.IncidentKey == key && i.ServiceId == serviceId && i.Status != "resolved"))
        {
            throw Invalid(DuplicateKeyError);
        }

        var policy = Find(EscalationPolicies, policyId ?? service.EscalationPolicyId ?? "");
        var created = new FakeIncident
        {
            Id = NewId(), Number = _nextNumber++, Title = title, ServiceId = serviceId, Urgency = urgency ?? "high", PriorityId = priorityId,
            EscalationPolicyId = policy?.Id, AssigneeIds = assignees ?? (policy?.UserId is { } onCall ? [onCall] : []), IncidentKey = key, Details = details,
        };
        _incidents.Add(created);
        return new Reply(201, Wrap("incident", IncidentJson(created)));
    }

    private string ListIncidents(Dictionary<string, List<string>> query)
    {
        var statuses = query.GetValueOrDefault("statuses[]") ?? [];
        if (statuses.Any(s => s is not ("triggered" or "acknowledged" or "resolved"))) throw Invalid("statuses[] must be triggered, acknowledged or resolved");
        var key = query.GetValueOrDefault("incident_key")?.FirstOrDefault();
        var allDates = query.GetValueOrDefault("date_range")?.FirstOrDefault() == "all";
        var monthAgo = DateTime.UtcNow.AddMonths(-1);
        var found = _incidents.Where(i =>
            (key is null || i.IncidentKey == key) && (statuses.Count == 0 || statuses.Contains(i.Status)) && (allDates || i.CreatedUtc >= monthAgo));
        return Page("incidents", found, query, IncidentJson);
    }

    private string UpdateIncident(FakeRequest request, string id, JsonObject body)
    {
        RequireFrom(request);
        var incident = FindIncident(id);
        OnlyMembers(body, ["incident"], "request");
        var change = Object(body, "incident");
        OnlyMembers(change, UpdateMembers, "incident");
        if (Text(change, "type") is not ("incident" or "incident_reference")) throw Invalid("incident.type must be 'incident' or 'incident_reference'");
        var status = change["status"] is null ? null : Text(change, "status");
        if (change["status"] is not null && status is not ("triggered" or "acknowledged" or "resolved")) throw new FakeRefusal(400, FakeAnswer.ErrorBody("Invalid Status Provided", 1003));
        if (status == "resolved" && incident.Status == "resolved") throw new FakeRefusal(400, FakeAnswer.ErrorBody("Incident Already Resolved", 1001));
        if (status == "acknowledged" && incident.Status == "acknowledged") throw new FakeRefusal(400, FakeAnswer.ErrorBody("Incident Already Acknowledged", 1002));
        var urgency = Urgency(change);
        string? priorityId = null;
        if (change["priority"] is JsonValue)
        {
            // PagerDuty also takes a priority's name here.
            priorityId = Priorities.FirstOrDefault(p => p.Name == Text(change, "priority"))?.Id ?? throw new FakeRefusal(400, FakeAnswer.ErrorBody("Invalid Priority", 1020));
        }
        else if (ReferenceId(change, "priority", "priority_reference", "priority") is { } pid)
        {
            priorityId = Find(Priorities, pid)?.Id ?? throw new FakeRefusal(400, FakeAnswer.ErrorBody("Invalid Priority", 1020));
        }
        var policyId = ReferenceId(change, "escalation_policy", "escalation_policy_reference");
        if (policyId is not null && Find(EscalationPolicies, policyId) is null) throw new FakeRefusal(400, FakeAnswer.ErrorBody("Escalation Policy Not Found", 1014));
        var assignees = Assignees(change);
        int? level = null;
        if (change["escalation_level"] is not null)
        {
            level = change["escalation_level"] is JsonValue l && l.TryGetValue<int>(out var n) && n >= 1 ? n : throw Invalid("escalation_level must be a positive integer");
        }
        if (change["resolution"] is not null && Text(change, "resolution") is null) throw Invalid("resolution must be a string");
        if (change["title"] is not null && string.IsNullOrWhiteSpace(Text(change, "title"))) throw Invalid("Title cannot be empty.");
        // conference_bridge: an object of conference_number and conference_url, both strings, either left out
        var bridge = change["conference_bridge"] is null ? null : change["conference_bridge"] as JsonObject ?? throw Invalid("conference_bridge must be an object");
        if (bridge is not null)
        {
            OnlyMembers(bridge, ["conference_number", "conference_url"], "incident.conference_bridge");
            foreach (var (name, value) in bridge)
                if (value is not JsonValue v || !v.TryGetValue<string>(out _)) throw Invalid($"conference_bridge.{name} must be a string");
        }

        if (status is not null && status != incident.Status)
            incident.LogEntries.Add(($"{(status == "acknowledged" ? "acknowledge" : "resolve")}_log_entry", $"{(status == "acknowledged" ? "Acknowledged" : "Resolved")} by {request.Header("From")}", DateTime.UtcNow));
        if (status is not null) incident.Status = status;
        if (Text(change, "resolution") is { } resolution) incident.Resolution = resolution;
        if (urgency is not null) incident.Urgency = urgency;
        if (priorityId is not null) incident.PriorityId = priorityId;
        if (Text(change, "title") is { } title) incident.Title = title;
        if (policyId is not null) incident.EscalationPolicyId = policyId;
        if (assignees is not null) incident.AssigneeIds = assignees;
        if (level is not null) incident.EscalationLevel = level.Value;
        if (bridge is not null)
        {
            incident.ConferenceNumber = Text(bridge, "conference_number") ?? incident.ConferenceNumber;
            incident.ConferenceUrl = Text(bridge, "conference_url") ?? incident.ConferenceUrl;
        }
        return Wrap("incident", IncidentJson(incident));
    }

    /// `GET /incidents/{id}/log_entries`: `is_overview` true or false, `limit` at most 100; the trigger, notes and changes, newest first.
    private string ListLogEntries(string id, Dictionary<string, List<string>> query)
    {
        var incident = FindIncident(id);
        if (query.GetValueOrDefault("is_overview")?.FirstOrDefault() is { } overview && overview is not ("true" or "false")) throw Invalid("is_overview must be true or false");
        if (query.GetValueOrDefault("limit")?.FirstOrDefault() is { } limit && !(int.TryParse(limit, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 100))
            throw Invalid("limit must be between 1 and 100");
        var entries = incident.LogEntries
            .Prepend(("trigger_log_entry", "Triggered through the API", incident.CreatedUtc))
            .Concat(incident.Notes.Select(note => ("annotate_log_entry", $"Note added: {note.Content}", note.CreatedUtc)))
            .OrderByDescending(e => e.Item3)
            .Select((e, i) => (JsonNode)new JsonObject
            {
                ["id"] = $"R{incident.Number}L{i}", ["type"] = e.Item1, ["summary"] = e.Item2,
                ["created_at"] = e.Item3.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                ["agent"] = new JsonObject { ["id"] = IntegrationUserId, ["type"] = "user_reference", ["summary"] = "Portal Integration" },
            });
        return new JsonObject { ["log_entries"] = new JsonArray([.. entries]), ["limit"] = 100, ["offset"] = 0, ["more"] = false }.ToJsonString();
    }

    private string AddNote(FakeRequest request, string id, JsonObject body)
    {
        var user = RequireFrom(request);
        var incident = FindIncident(id);
        OnlyMembers(body, ["note"], "request");
        var note = Object(body, "note");
        OnlyMembers(note, ["content"], "note");
        var content = Text(note, "content");
        if (string.IsNullOrWhiteSpace(content)) throw Invalid("Note content cannot be empty.");
        if (incident.Notes.Count >= 2000) throw Invalid("A maximum of 2000 notes can be added to an incident.");
        var added = (NewId(), content, user.Id, DateTime.UtcNow);
        incident.Notes.Add(added);
        return Wrap("note", NoteJson(added));
    }

    private string AddResponders(string id, JsonObject body)
    {
        var incident = FindIncident(id);
        OnlyMembers(body, ["requester_id", "message", "responder_request_targets"], "request");
        var requester = Text(body, "requester_id");
        if (requester is null) throw new FakeRefusal(400, FakeAnswer.ErrorBody("You must specify a requester_id to perform this action", 2011));
        if (Find(Users, requester) is null) throw new FakeRefusal(400, FakeAnswer.ErrorBody("Requester User Not Found", 1008));
        if (string.IsNullOrWhiteSpace(Text(body, "message"))) throw Invalid("message is required");
        if (body["responder_request_targets"] is not JsonArray { Count: > 0 } targets) throw Invalid("responder_request_targets must be a non-empty array");
        foreach (var item in targets)
        {
            var target = (item as JsonObject)?["responder_request_target"] as JsonObject ?? throw Invalid("each target must be {\"responder_request_target\":{...}}");
            OnlyMembers(target, ["id", "type"], "responder_request_target");
            var known = Text(target, "type") switch
            {
                "user_reference" => Find(Users, Text(target, "id") ?? ""),
                "escalation_policy_reference" => Find(EscalationPolicies, Text(target, "id") ?? ""),
                _ => throw Invalid("responder_request_target.type must be user_reference or escalation_policy_reference"),
            };
            if (known is null) throw NotFound();
        }
        var stored = (JsonObject)body.DeepClone();
        stored["requested_at"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        incident.ResponderRequests.Add(stored);
        return Wrap("responder_request", new JsonObject
        {
            ["incident"] = Reference(incident.Id, "incident_reference"),
            ["requester"] = Reference(requester, "user_reference"),
            ["message"] = Text(body, "message"),
            ["responder_request_targets"] = targets.DeepClone(),
        });
    }

    /// `PUT /incidents/{id}/custom_fields/values` (operation `setIncidentFieldValues`): `{"custom_fields":[{"name" or "id", "value"}]}`,
    /// each value of its field's data type (text at most 200 characters, a multi-value field a list of at most 10), 201.
    private Reply SetCustomFieldValues(string id, JsonObject body)
    {
        var incident = FindIncident(id);
        OnlyMembers(body, ["custom_fields"], "request");
        if (body["custom_fields"] is not JsonArray fields) throw Invalid("custom_fields must be an array");
        var changes = new List<(string Name, JsonNode? Value)>();
        foreach (var item in fields)
        {
            if (item is not JsonObject field) throw Invalid("custom_fields must hold objects");
            OnlyMembers(field, ["name", "id", "value"], "custom_fields[]");
            var name = Text(field, "name") ?? Text(field, "id") ?? throw Invalid("a custom field value needs its name or id");
            if (!field.ContainsKey("value")) throw Invalid($"custom field {name} needs a value");
            if (!CustomFields.TryGetValue(name, out var type)) throw new FakeRefusal(400, FakeAnswer.ErrorBody($"Field {name} not found", 2001));
            var value = field["value"];
            bool Fits(JsonNode? v) => v is null || (v is JsonValue scalar && type.DataType switch
            {
                "string" or "url" => scalar.TryGetValue<string>(out var text) && text.Length <= 200,
                "integer" => scalar.GetValueKind() == JsonValueKind.Number && scalar.TryGetValue<long>(out _),
                "float" => scalar.GetValueKind() == JsonValueKind.Number,
                "boolean" => scalar.GetValueKind() is JsonValueKind.True or JsonValueKind.False,
                _ => false,
            });
            var fits = type.Multi ? value is null || (value is JsonArray list && list.Count <= 10 && list.All(v => v is not null && Fits(v))) : value is not JsonArray && Fits(value);
            if (!fits) throw Invalid($"custom field {name} takes {(type.Multi ? "a list of " : "")}{type.DataType}");
            changes.Add((name, value?.DeepClone()));
        }
        foreach (var (name, value) in changes) incident.CustomFieldValues[name] = value;
        return new Reply(201, new JsonObject
        {
            ["custom_fields"] = new JsonArray([.. incident.CustomFieldValues.Select(f => (JsonNode)new JsonObject
            {
                ["id"] = "F" + f.Key.ToUpperInvariant(), ["type"] = "field_value", ["name"] = f.Key, ["display_name"] = f.Key, ["description"] = null,
                ["data_type"] = CustomFields[f.Key].DataType, ["field_type"] = CustomFields[f.Key].Multi ? "multi_value" : "single_value", ["value"] = f.Value?.DeepClone(),
            })]),
        }.ToJsonString());
    }

    private string AddStatusUpdate(FakeRequest request, string id, JsonObject body)
    {
        var user = RequireFrom(request);
        var incident = FindIncident(id);
        OnlyMembers(body, ["message", "subject", "html_message"], "request");
        var message = Text(body, "message");
        if (string.IsNullOrWhiteSpace(message)) throw Invalid("message is required");
        incident.StatusUpdates.Add(message);
        return Wrap("status_update", new JsonObject
        {
            ["id"] = NewId(), ["message"] = message, ["sender"] = Reference(user.Id, "user_reference", user.Name),
            ["created_at"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        });
    }

    private Reply RunWorkflow(string workflowId, JsonObject body)
    {
        if (!IncidentWorkflows.Contains(workflowId)) throw NotFound();
        OnlyMembers(body, ["incident_workflow_instance"], "request");
        var instance = Object(body, "incident_workflow_instance");
        OnlyMembers(instance, ["id", "incident"], "incident_workflow_instance");
        var incidentId = ReferenceId(instance, "incident", "incident_reference") ?? throw Invalid("incident is required");
        var incident = FindIncident(incidentId);
        incident.WorkflowRuns.Add(workflowId);
        return new Reply(201, Wrap("incident_workflow_instance", new JsonObject
        {
            ["id"] = NewId(), ["type"] = "incident_workflow_instance", ["incident"] = Reference(incident.Id, "incident_reference"),
        }));
    }

    private Reply RunAutomationAction(string actionId, JsonObject body)
    {
        if (!AutomationActions.Contains(actionId)) throw NotFound();
        OnlyMembers(body, ["invocation"], "request");
        var invocation = Object(body, "invocation");
        OnlyMembers(invocation, ["metadata"], "invocation");
        var metadata = Object(invocation, "metadata");
        OnlyMembers(metadata, ["incident_id", "alert_id"], "invocation.metadata");
        var incident = FindIncident(Text(metadata, "incident_id") ?? throw Invalid("metadata.incident_id is required"));
        incident.AutomationRuns.Add(actionId);
        incident.Invocations.Add((actionId, DateTime.UtcNow));
        return new Reply(201, Wrap("invocation", new JsonObject
        {
            ["id"] = NewId(), ["type"] = "invocation", ["action_id"] = actionId, ["state"] = "prepared",
            ["metadata"] = new JsonObject { ["incident"] = Reference(incident.Id, "incident_reference") },
        }));
    }

    private static string Page<T>(string collection, IEnumerable<T> items, Dictionary<string, List<string>> query, Func<T, JsonNode> toJson)
    {
        var limit = Number(query, "limit") ?? 25;
        var offset = Number(query, "offset") ?? 0;
        if (limit is < 1 or > 100) throw Invalid("limit must be between 1 and 100");
        if (offset < 0) throw Invalid("offset must not be negative");
        if (offset + limit > 10000) throw Invalid("Offset + limit must be less than or equal to 10000. Use filters to narrow the results.");
        var all = items.ToList();
        var page = all.Skip(offset).Take(limit).Select(toJson).ToArray();
        return new JsonObject
        {
            [collection] = new JsonArray(page),
            ["limit"] = limit,
            ["offset"] = offset,
            ["more"] = offset + page.Length < all.Count,
            ["total"] = query.GetValueOrDefault("total")?.FirstOrDefault() == "true" ? all.Count : null,
        }.ToJsonString();
    }

    private JsonObject IncidentJson(FakeIncident incident)
    {
        var service = Find(Services, incident.ServiceId);
        var policy = incident.EscalationPolicyId is null ? null : Find(EscalationPolicies, incident.EscalationPolicyId);
        var priority = incident.PriorityId is null ? null : Find(Priorities, incident.PriorityId);
        return new JsonObject
        {
            ["id"] = incident.Id,
            ["type"] = "incident",
            ["summary"] = $"[#{incident.Number}] {incident.Title}",
            ["self"] = $"https://api.pagerduty.com/incidents/{incident.Id}",
            ["html_url"] = $"https://portal-test.pagerduty.com/incidents/{incident.Id}",
            ["incident_number"] = incident.Number,
            ["title"] = incident.Title,
            ["created_at"] = incident.CreatedUtc.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["status"] = incident.Status,
            ["incident_key"] = incident.IncidentKey,
            ["service"] = Reference(incident.ServiceId, "service_reference", service?.Name),
            ["assignments"] = new JsonArray(incident.AssigneeIds
                .Select(id => (JsonNode)new JsonObject { ["at"] = incident.CreatedUtc.ToString("O"), ["assignee"] = Reference(id, "user_reference", Find(Users, id)?.Name) })
                .ToArray()),
            ["assigned_via"] = incident.EscalationPolicyId is null ? "direct_assignment" : "escalation_policy",
            ["resolved_at"] = null,
            ["escalation_policy"] = policy is null ? null : Reference(policy.Id, "escalation_policy_reference", policy.Name),
            ["teams"] = new JsonArray(),
            ["priority"] = priority is null ? null : new JsonObject { ["id"] = priority.Id, ["type"] = "priority", ["summary"] = priority.Name, ["name"] = priority.Name },
            ["urgency"] = incident.Urgency,
            ["responder_requests"] = new JsonArray(incident.ResponderRequests.Select(r => (JsonNode)new JsonObject
            {
                ["incident"] = Reference(incident.Id, "incident_reference"),
                ["requester"] = Reference(r["requester_id"]!.GetValue<string>(), "user_reference"),
                ["requested_at"] = r["requested_at"]!.DeepClone(),
                ["message"] = r["message"]!.DeepClone(),
                ["responder_request_targets"] = r["responder_request_targets"]!.DeepClone(),
            }).ToArray()),
        };
    }

    /// `GET /automation_actions/invocations`: filtered by `action_id` and `incident_id`, as PagerDuty documents them.
    private string ListInvocations(Dictionary<string, List<string>> query)
    {
        var actionId = query.GetValueOrDefault("action_id")?.FirstOrDefault();
        var incidentId = query.GetValueOrDefault("incident_id")?.FirstOrDefault();
        var invocations = _incidents.Where(i => incidentId is null || i.Id == incidentId)
            .SelectMany(i => i.Invocations.Where(v => actionId is null || v.ActionId == actionId).Select(v => (Incident: i, v.ActionId, v.CreatedUtc)))
            .Select(v => (JsonNode)new JsonObject
            {
                ["id"] = NewId(), ["type"] = "invocation", ["action_id"] = v.ActionId, ["state"] = "prepared",
                ["timing"] = new JsonArray(new JsonObject { ["state"] = "prepared", ["timestamp"] = v.CreatedUtc.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture) }),
                ["metadata"] = new JsonObject { ["incident"] = Reference(v.Incident.Id, "incident_reference") },
            }).ToArray();
        return Wrap("invocations", new JsonArray(invocations));
    }

    private JsonObject NoteJson((string Id, string Content, string UserId, DateTime CreatedUtc) note) => new()
    {
        ["id"] = note.Id,
        ["user"] = Reference(note.UserId, "user_reference", Find(Users, note.UserId)?.Name),
        ["channel"] = new JsonObject { ["summary"] = "The PagerDuty website or APIs" },
        ["content"] = note.Content,
        ["created_at"] = note.CreatedUtc.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
    };

    private static JsonObject EntityJson(FakeEntity entity, string type)
    {
        var json = new JsonObject { ["id"] = entity.Id, ["type"] = type, ["summary"] = entity.Name, ["name"] = entity.Name, ["self"] = $"https://api.pagerduty.com/{type}/{entity.Id}" };
        if (entity.Email is not null) json["email"] = entity.Email;
        return json;
    }

    private static JsonObject Reference(string id, string type, string? summary = null)
    {
        var json = new JsonObject { ["id"] = id, ["type"] = type };
        if (summary is not null) json["summary"] = summary;
        return json;
    }

    private FakeEntity RequireFrom(FakeRequest request)
    {
        var from = request.Header("From");
        if (string.IsNullOrWhiteSpace(from)) throw new FakeRefusal(400, FakeAnswer.ErrorBody(MissingFromMessage, 2001));
        if (!MailAddress.TryCreate(from, out var address) || address.Address != from) throw Invalid("The From header must be a user's email address.");
        return Users.FirstOrDefault(u => string.Equals(u.Email, from, StringComparison.OrdinalIgnoreCase))
            ?? throw Invalid("The email address in the From header does not belong to a user on this account.");
    }

    private static JsonObject Body(FakeRequest request)
    {
        var contentType = request.Header("Content-Type");
        if (contentType is null || !IsJsonContentType(contentType)) throw new FakeRefusal(415, FakeAnswer.ErrorBody("Unsupported Media Type", 2001, ["Content-Type must be application/json"]));
        try
        {
            return JsonNode.Parse(request.Body) as JsonObject ?? throw Invalid("The request body must be a JSON object.");
        }
        catch (JsonException)
        {
            throw Invalid("The request body is not valid JSON.");
        }
    }

    private static bool IsJsonContentType(string value)
    {
        var parts = value.Split(';', StringSplitOptions.TrimEntries);
        return parts[0] == "application/json" && parts.Skip(1).All(p => p.Equals("charset=utf-8", StringComparison.OrdinalIgnoreCase));
    }

    private FakeIncident FindIncident(string idOrNumber) =>
        _incidents.FirstOrDefault(i => i.Id == idOrNumber || i.Number.ToString(CultureInfo.InvariantCulture) == idOrNumber) ?? throw NotFound();

    private static FakeEntity? Find(IEnumerable<FakeEntity> entities, string id) => entities.FirstOrDefault(e => e.Id == id);

    private static bool Matches(FakeEntity entity, Dictionary<string, List<string>> query) =>
        query.GetValueOrDefault("query")?.FirstOrDefault() is not { Length: > 0 } text
        || entity.Name.Contains(text, StringComparison.OrdinalIgnoreCase)
        || (entity.Email?.StartsWith(text, StringComparison.OrdinalIgnoreCase) ?? false);

    private static string? ReferenceId(JsonObject owner, string member, params string[] types)
    {
        if (owner[member] is null) return null;
        var reference = owner[member] as JsonObject ?? throw Invalid($"{member} must be a reference object");
        OnlyMembers(reference, ["id", "type"], member);
        if (!types.Contains(Text(reference, "type"))) throw Invalid($"{member}.type must be {string.Join(" or ", types)}");
        return Text(reference, "id") is { Length: > 0 } id ? id : throw Invalid($"{member}.id is required");
    }

    private List<string>? Assignees(JsonObject incident)
    {
        if (incident["assignments"] is null) return null;
        if (incident["assignments"] is not JsonArray { Count: > 0 } list) throw Invalid("assignments must be a non-empty array");
        var ids = new List<string>();
        foreach (var item in list)
        {
            if (item is not JsonObject assignment) throw Invalid("each assignment must be an object");
            OnlyMembers(assignment, ["assignee"], "assignment");
            var id = ReferenceId(assignment, "assignee", "user_reference") ?? throw Invalid("assignment.assignee is required");
            if (Find(Users, id) is null) throw new FakeRefusal(400, FakeAnswer.ErrorBody("Assigned To User Not Found", 1007));
            ids.Add(id);
        }
        return ids;
    }

    private static string? Urgency(JsonObject incident)
    {
        if (incident["urgency"] is null) return null;
        return Text(incident, "urgency") is "high" or "low" ? Text(incident, "urgency") : throw Invalid("urgency must be 'high' or 'low'");
    }

    private static JsonObject Object(JsonObject owner, string member) => owner[member] as JsonObject ?? throw Invalid($"'{member}' must be an object");

    private static void OnlyMembers(JsonObject obj, ICollection<string> allowed, string where)
    {
        var unknown = obj.Select(p => p.Key).Where(k => !allowed.Contains(k)).ToList();
        if (unknown.Count > 0) throw Invalid($"Unknown member(s) in {where}: {string.Join(", ", unknown)}");
    }

    private static string? Text(JsonObject obj, string member) => obj[member] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static int? Number(Dictionary<string, List<string>> query, string name) =>
        query.GetValueOrDefault(name)?.FirstOrDefault() is { } text
            ? int.TryParse(text, CultureInfo.InvariantCulture, out var n) ? n : throw Invalid($"{name} must be an integer")
            : null;

    private static Dictionary<string, List<string>> ParseQuery(string query)
    {
        var result = new Dictionary<string, List<string>>();
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            var name = Uri.UnescapeDataString(parts[0].Replace('+', ' '));
            var value = parts.Length > 1 ? Uri.UnescapeDataString(parts[1].Replace('+', ' ')) : "";
            if (!result.TryGetValue(name, out var values)) result[name] = values = [];
            values.Add(value);
        }
        return result;
    }

    private static string Wrap(string name, JsonNode value) => new JsonObject { [name] = value }.ToJsonString();

    private string NewId() => "Q" + (_nextId++).ToString("D13", CultureInfo.InvariantCulture);

    private static FakeRefusal Invalid(string detail) => new(400, FakeAnswer.ErrorBody("Invalid Input Provided", 2001, [detail]));

    private static FakeRefusal NotFound() => new(404, FakeAnswer.ErrorBody("Not Found", 2100));

    private sealed record FakeHold(string Method, string Path, bool CarryOut)
    {
        public TaskCompletionSource<FakeRequest> Arrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly record struct Reply(int Status, string Body)
    {
        public static implicit operator Reply(string body) => new(200, body);
    }

    private sealed class FakeRefusal(int status, string body) : Exception(body)
    {
        public int Status { get; } = status;
        public string Body { get; } = body;
    }
}
