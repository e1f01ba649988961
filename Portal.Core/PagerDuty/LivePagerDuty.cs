using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Portal.Core.PagerDuty;

/// The PagerDuty REST API v2 client. DI sets `http.BaseAddress` from `PagerDutyOptions.ResolveBaseUrl()`; the API key
/// is read on every request because an administrator can change it while the portal runs. It never retries: the
/// durable dispatcher does, using `PagerDutyException.Transient` and `RetryAfter`.
public sealed class LivePagerDuty(HttpClient http, Func<CancellationToken, Task<string?>> apiKey) : IPagerDuty
{
    public const string AcceptHeader = "application/vnd.pagerduty+json;version=2";
    private const int PageSize = 100;
    private const int OffsetLimit = 10000;
    private const string NoKey = "No PagerDuty API key is configured.";
    /// Business-impact endpoints were published as Early Access with this header required; PagerDuty ignores it where
    /// it is no longer needed, so it is always sent on them.
    public const string EarlyAccess = "business-impact-early-access";
    private const int IdsPerImpactsRequest = 100;

    public async Task<PdIncident> CreateIncidentAsync(PdCreateIncident request, string from, CancellationToken cancellationToken)
    {
        var assignees = request.AssigneeIds ?? [];
        if (request.EscalationPolicyId is not null && assignees.Count > 0)
        {
            throw new ArgumentException("PagerDuty refuses an incident with both assignees and an escalation policy; give one of them.", nameof(request));
        }
        var incident = new JsonObject
        {
            ["type"] = "incident",
            ["title"] = request.Title,
            ["service"] = Reference(request.ServiceId, "service_reference"),
        };
        if (request.Urgency is not null) incident["urgency"] = request.Urgency;
        if (request.PriorityId is not null) incident["priority"] = Reference(request.PriorityId, "priority_reference");
        if (request.EscalationPolicyId is not null) incident["escalation_policy"] = Reference(request.EscalationPolicyId, "escalation_policy_reference");
        if (assignees.Count > 0) incident["assignments"] = Assignments(assignees);
        if (request.Details is not null) incident["body"] = new JsonObject { ["type"] = "incident_body", ["details"] = request.Details };
        if (request.IncidentKey is not null) incident["incident_key"] = request.IncidentKey;

        try
        {
            var answer = await SendAsync(HttpMethod.Post, "incidents", new JsonObject { ["incident"] = incident }, from, cancellationToken);
            return ReadIncident(Member(answer, "incident"));
        }
        catch (PagerDutyException e) when (request.IncidentKey is not null && IsDuplicateKey(e, request.IncidentKey))
        {
            // A retried create (the dispatcher's, or a second rule on the same record) finds the incident the first one made.
            var existing = await FindIncidentsByKeyAsync(request.IncidentKey, cancellationToken);
            var open = existing.Where(i => i.Status != "resolved").OrderByDescending(i => i.ServiceId == request.ServiceId)
                .ThenByDescending(i => i.CreatedUtc).FirstOrDefault();
            if (open is null) throw;
            return open;
        }
    }

    public async Task<PdIncident?> FindIncidentByKeyAsync(string incidentKey, CancellationToken cancellationToken)
    {
        var found = await FindIncidentsByKeyAsync(incidentKey, cancellationToken);
        return found.OrderByDescending(i => i.Status != "resolved").ThenByDescending(i => i.CreatedUtc).FirstOrDefault();
    }

    public async Task<PdIncident> GetIncidentAsync(string incidentId, CancellationToken cancellationToken)
    {
        var answer = await SendAsync(HttpMethod.Get, $"incidents/{Escape(incidentId)}", null, null, cancellationToken);
        return ReadIncident(Member(answer, "incident"));
    }

    public async Task<PdIncident> UpdateIncidentAsync(string incidentId, PdUpdateIncident update, string from, CancellationToken cancellationToken)
    {
        var incident = new JsonObject { ["type"] = "incident_reference" };
        if (update.Status is not null) incident["status"] = update.Status;
        if (update.Resolution is not null) incident["resolution"] = update.Resolution;
        if (update.PriorityId is not null) incident["priority"] = Reference(update.PriorityId, "priority_reference");
        if (update.Urgency is not null) incident["urgency"] = update.Urgency;
        if (update.Title is not null) incident["title"] = update.Title;
        if (update.EscalationPolicyId is not null) incident["escalation_policy"] = Reference(update.EscalationPolicyId, "escalation_policy_reference");
        if (update.AssigneeIds is { Count: > 0 }) incident["assignments"] = Assignments(update.AssigneeIds);
        if (update.EscalationLevel is { } level) incident["escalation_level"] = level;
        if (update.ConferenceBridge is { } bridge)
        {
            var conference = new JsonObject();
            if (bridge.Number is not null) conference["conference_number"] = bridge.Number;
            if (bridge.Url is not null) conference["conference_url"] = bridge.Url;
            incident["conference_bridge"] = conference;
        }

        try
        {
            var answer = await SendAsync(HttpMethod.Put, $"incidents/{Escape(incidentId)}", new JsonObject { ["incident"] = incident }, from, cancellationToken);
            return ReadIncident(Member(answer, "incident"));
        }
        catch (PagerDutyException e) when (e.ErrorCode is 1001 or 1002)
        {
            // Someone (or a webhook-driven rule) got there first; the incident is already where we wanted it.
            return await GetIncidentAsync(incidentId, cancellationToken);
        }
    }

    public async Task<PdNote> AddNoteAsync(string incidentId, string content, string from, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["note"] = new JsonObject { ["content"] = content } };
        var answer = await SendAsync(HttpMethod.Post, $"incidents/{Escape(incidentId)}/notes", body, from, cancellationToken);
        return ReadNote(Member(answer, "note"));
    }

    public async Task<IReadOnlyList<PdNote>> ListNotesAsync(string incidentId, CancellationToken cancellationToken)
    {
        var answer = await SendAsync(HttpMethod.Get, $"incidents/{Escape(incidentId)}/notes", null, null, cancellationToken);
        return Items(answer, "notes").Select(ReadNote).ToList();
    }

    public async Task<IReadOnlyList<PdLogEntry>> ListLogEntriesAsync(string incidentId, CancellationToken cancellationToken)
    {
        // the overview keeps the changes an agent cares about (trigger, acknowledge, assign, escalate, resolve, notes)
        var answer = await SendAsync(HttpMethod.Get, $"incidents/{Escape(incidentId)}/log_entries?is_overview=true&limit={PageSize}", null, null, cancellationToken);
        return Items(answer, "log_entries").Select(ReadLogEntry).OrderByDescending(e => e.CreatedUtc).ToList();
    }

    public async Task AddRespondersAsync(string incidentId, string requesterUserId, IReadOnlyList<string> userIds,
        IReadOnlyList<string> escalationPolicyIds, string message, string from, CancellationToken cancellationToken)
    {
        var targets = new JsonArray();
        foreach (var id in userIds) targets.Add(new JsonObject { ["responder_request_target"] = Reference(id, "user_reference") });
        foreach (var id in escalationPolicyIds) targets.Add(new JsonObject { ["responder_request_target"] = Reference(id, "escalation_policy_reference") });
        var body = new JsonObject { ["requester_id"] = requesterUserId, ["message"] = message, ["responder_request_targets"] = targets };
        // PagerDuty takes the requester from the body here; From is sent as go-pagerduty does, when there is one.
        await SendAsync(HttpMethod.Post, $"incidents/{Escape(incidentId)}/responder_requests", body,
            string.IsNullOrWhiteSpace(from) ? null : from, cancellationToken);
    }

    public async Task<PdStatusUpdate> AddStatusUpdateAsync(string incidentId, string message, string from, CancellationToken cancellationToken)
    {
        var answer = await SendAsync(HttpMethod.Post, $"incidents/{Escape(incidentId)}/status_updates", new JsonObject { ["message"] = message }, from, cancellationToken);
        var update = Member(answer, "status_update");
        return new PdStatusUpdate(Text(Member(update, "id")), Text(Member(update, "message")) ?? message,
            Text(Member(update, "created_at")) is null ? null : Time(Member(update, "created_at")), Text(Member(Member(update, "sender"), "summary")));
    }

    public async Task RunIncidentWorkflowAsync(string workflowId, string incidentId, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["incident_workflow_instance"] = new JsonObject { ["incident"] = Reference(incidentId, "incident_reference") } };
        await SendAsync(HttpMethod.Post, $"incident_workflows/{Escape(workflowId)}/instances", body, null, cancellationToken);
    }

    public async Task SetCustomFieldValuesAsync(string incidentId, IReadOnlyDictionary<string, System.Text.Json.JsonElement> values, string from,
        CancellationToken cancellationToken)
    {
        // by name (PagerDuty takes `name` or `id`); `From` is not in the schema but names the person the change is logged for
        var fields = new JsonArray([.. values.Select(v => (JsonNode)new JsonObject { ["name"] = v.Key, ["value"] = JsonNode.Parse(v.Value.GetRawText()) })]);
        await SendAsync(HttpMethod.Put, $"incidents/{Escape(incidentId)}/custom_fields/values", new JsonObject { ["custom_fields"] = fields }, from, cancellationToken);
    }

    public async Task RunAutomationActionAsync(string actionId, string incidentId, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["invocation"] = new JsonObject { ["metadata"] = new JsonObject { ["incident_id"] = incidentId } } };
        await SendAsync(HttpMethod.Post, $"automation_actions/actions/{Escape(actionId)}/invocations", body, null, cancellationToken);
    }

    public async Task<IReadOnlyList<PdResponderRequest>> ListResponderRequestsAsync(string incidentId, CancellationToken cancellationToken)
    {
        var answer = await SendAsync(HttpMethod.Get, $"incidents/{Escape(incidentId)}", null, null, cancellationToken);
        return Items(Member(answer, "incident"), "responder_requests")
            .Select(r => new PdResponderRequest(Text(Member(r, "message")) ?? "", Time(Member(r, "requested_at")))).ToList();
    }

    public async Task<IReadOnlyList<DateTime>> ListAutomationInvocationsAsync(string actionId, string incidentId, CancellationToken cancellationToken)
    {
        var answer = await SendAsync(HttpMethod.Get, $"automation_actions/invocations?action_id={Escape(actionId)}&incident_id={Escape(incidentId)}",
            null, null, cancellationToken);
        // an invocation's timing lists its states with their times; the first is when it was created
        return Items(answer, "invocations").Select(i => (Member(i, "timing") as JsonArray ?? []).Select(t => Time(Member(t, "timestamp")))
            .DefaultIfEmpty(DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc)).Min()).ToList();
    }

    public Task<IReadOnlyList<PdReference>> ListServicesAsync(CancellationToken cancellationToken) =>
        ListReferencesAsync("services", cancellationToken);

    public Task<IReadOnlyList<PdReference>> ListEscalationPoliciesAsync(CancellationToken cancellationToken) =>
        ListReferencesAsync("escalation_policies", cancellationToken);

    public Task<IReadOnlyList<PdReference>> ListPrioritiesAsync(CancellationToken cancellationToken) =>
        ListReferencesAsync("priorities", cancellationToken);

    public Task<IReadOnlyList<PdReference>> ListUsersAsync(CancellationToken cancellationToken) =>
        ListReferencesAsync("users", cancellationToken);

    public async Task<PdBusinessServiceImpacts> ListBusinessServiceImpactsAsync(IReadOnlyList<string>? ids, CancellationToken cancellationToken)
    {
        // A live list: no offset or cursor. Without ids[] it holds the most impacted (up to PagerDuty's limit) and says
        // `more` when it left some out; with ids[] it answers for those business services.
        const string path = "business_services/impacts?additional_fields[]=services.highest_impacting_priority";
        if (ids is null)
        {
            var page = await SendAsync(HttpMethod.Get, path, null, null, cancellationToken, EarlyAccess);
            return new PdBusinessServiceImpacts(Items(page, "services").Select(s => ReadImpact(s, requireStatus: true)).ToList(), More(page));
        }
        var all = new List<PdBusinessServiceImpact>();
        foreach (var chunk in ids.Distinct().Chunk(IdsPerImpactsRequest))
        {
            var page = await SendAsync(HttpMethod.Get, $"{path}&{string.Join('&', chunk.Select(id => "ids[]=" + Escape(id)))}", null, null,
                cancellationToken, EarlyAccess);
            all.AddRange(Items(page, "services").Select(s => ReadImpact(s, requireStatus: true)));
        }
        return new PdBusinessServiceImpacts(all, false);
    }

    public Task<IReadOnlyList<PdReference>> ListBusinessServicesAsync(CancellationToken cancellationToken) =>
        ListReferencesAsync("business_services", cancellationToken);

    public async Task<IReadOnlyList<PdIncident>> ListOpenIncidentsAsync(CancellationToken cancellationToken)
    {
        // date_range=all: an incident open for longer than the default month still impacts its business services.
        var items = await ListAllAsync("incidents", "incidents", "statuses[]=triggered&statuses[]=acknowledged&date_range=all&", cancellationToken);
        return items.Select(ReadIncident).ToList();
    }

    public async Task<IReadOnlyList<PdBusinessServiceImpact>> ListIncidentImpactsAsync(string incidentId, CancellationToken cancellationToken)
    {
        var answer = await SendAsync(HttpMethod.Get, $"incidents/{Escape(incidentId)}/business_services/impacts", null, null, cancellationToken, EarlyAccess);
        return Items(answer, "services").Select(s => ReadImpact(s, requireStatus: false)).Where(s => s.Impacted).ToList();
    }

    public async Task<string?> FindUserIdByEmailAsync(string email, CancellationToken cancellationToken)
    {
        // `query` matches names too, and by prefix: only an exact e-mail counts.
        var users = await ListAllAsync("users", "users", $"query={Uri.EscapeDataString(email.Trim())}&", cancellationToken);
        return users.FirstOrDefault(u => string.Equals(Text(Member(u, "email")), email.Trim(), StringComparison.OrdinalIgnoreCase)) is { } user
            ? Text(Member(user, "id"))
            : null;
    }

    public async Task<PdConnectionCheck> CheckConnectionAsync(string from, CancellationToken cancellationToken)
    {
        try
        {
            if (string.IsNullOrWhiteSpace(from))
            {
                await SendAsync(HttpMethod.Get, "users?limit=1", null, null, cancellationToken);
                return new(false, "The API key works, but no From e-mail is set; PagerDuty needs one to record who changed an incident.");
            }
            var userId = await FindUserIdByEmailAsync(from, cancellationToken);
            return userId is null
                ? new(false, $"The API key works, but no PagerDuty user has the From e-mail '{from.Trim()}'.")
                : new(true, $"Connected: the API key works and '{from.Trim()}' is PagerDuty user {userId}.");
        }
        catch (PagerDutyException e) when (e.Message == NoKey)
        {
            return new(false, NoKey);
        }
        catch (PagerDutyException e) when (e.StatusCode is 401 or 403)
        {
            return new(false, $"PagerDuty refused the API key ({e.StatusCode}): {e.Describe()}");
        }
        catch (PagerDutyException e) when (e.StatusCode is null)
        {
            return new(false, $"PagerDuty could not be reached: {e.Describe()}");
        }
        catch (PagerDutyException e)
        {
            return new(false, $"PagerDuty answered {e.StatusCode}: {e.Describe()}");
        }
    }

    public async Task<PdWebhookSubscription> CreateWebhookSubscriptionAsync(string url, string filterType, string? filterId, IReadOnlyList<string> events,
        CancellationToken cancellationToken)
    {
        var filter = new JsonObject { ["type"] = filterType };
        if (filterType != "account_reference") filter["id"] = filterId;
        var body = new JsonObject
        {
            ["webhook_subscription"] = new JsonObject
            {
                ["type"] = "webhook_subscription",
                ["delivery_method"] = new JsonObject { ["type"] = "http_delivery_method", ["url"] = url },
                ["description"] = "Portal: incident events for rules and the Combined Console",
                ["events"] = new JsonArray(events.Select(e => (JsonNode)JsonValue.Create(e)).ToArray()),
                ["filter"] = filter,
            },
        };
        var answer = await SendAsync(HttpMethod.Post, "webhook_subscriptions", body, null, cancellationToken);
        return ReadSubscription(Member(answer, "webhook_subscription"));
    }

    public async Task<IReadOnlyList<PdWebhookSubscription>> ListWebhookSubscriptionsAsync(CancellationToken cancellationToken) =>
        (await ListAllAsync("webhook_subscriptions", "webhook_subscriptions", "", cancellationToken)).Select(ReadSubscription).ToList();

    public async Task EnableWebhookSubscriptionAsync(string id, CancellationToken cancellationToken) =>
        await SendAsync(HttpMethod.Post, $"webhook_subscriptions/{Escape(id)}/enable", null, null, cancellationToken);

    public async Task PingWebhookSubscriptionAsync(string id, CancellationToken cancellationToken) =>
        await SendAsync(HttpMethod.Post, $"webhook_subscriptions/{Escape(id)}/ping", null, null, cancellationToken);

    public async Task DeleteWebhookSubscriptionAsync(string id, CancellationToken cancellationToken) =>
        await SendAsync(HttpMethod.Delete, $"webhook_subscriptions/{Escape(id)}", null, null, cancellationToken);

    private static PdWebhookSubscription ReadSubscription(JsonNode? node)
    {
        var delivery = Member(node, "delivery_method");
        var filter = Member(node, "filter");
        return new PdWebhookSubscription(Required(node, "id"), Text(Member(delivery, "url")) ?? "", Text(Member(filter, "type")) ?? "account_reference",
            Text(Member(filter, "id")), Member(node, "active") is JsonValue active && active.TryGetValue<bool>(out var a) ? a : true,
            Member(delivery, "temporarily_disabled") is JsonValue disabled && disabled.TryGetValue<bool>(out var d) && d,
            Member(node, "events") is JsonArray events ? Strings(events).ToList() : [], Text(Member(delivery, "secret")));
    }

    private async Task<List<PdIncident>> FindIncidentsByKeyAsync(string incidentKey, CancellationToken cancellationToken)
    {
        // Without date_range=all PagerDuty looks at the last month only.
        var filter = $"incident_key={Uri.EscapeDataString(incidentKey)}&date_range=all&statuses[]=triggered&statuses[]=acknowledged&statuses[]=resolved&";
        var items = await ListAllAsync("incidents", "incidents", filter, cancellationToken);
        return items.Select(ReadIncident).ToList();
    }

    private async Task<IReadOnlyList<PdReference>> ListReferencesAsync(string path, CancellationToken cancellationToken)
    {
        var items = await ListAllAsync(path, path, "", cancellationToken);
        return items.Select(i => new PdReference(Required(i, "id"), Text(Member(i, "name")) ?? Text(Member(i, "summary")) ?? Required(i, "id"),
            Text(Member(i, "email")))).ToList();
    }

    // Classic pagination: PagerDuty refuses offset + limit beyond 10000, so a longer list is cut there.
    private async Task<List<JsonNode?>> ListAllAsync(string path, string collection, string filter, CancellationToken cancellationToken)
    {
        var all = new List<JsonNode?>();
        for (var offset = 0; offset + PageSize <= OffsetLimit; offset += PageSize)
        {
            var page = await SendAsync(HttpMethod.Get, $"{path}?{filter}limit={PageSize}&offset={offset}", null, null, cancellationToken);
            all.AddRange(Items(page, collection));
            if (!More(page)) break;
        }
        return all;
    }

    private async Task<JsonNode?> SendAsync(HttpMethod method, string pathAndQuery, JsonObject? body, string? from, CancellationToken cancellationToken,
        string? earlyAccess = null)
    {
        var key = await apiKey(cancellationToken);
        if (string.IsNullOrWhiteSpace(key)) throw new PagerDutyException(401, NoKey);

        using var request = new HttpRequestMessage(method, new Uri(pathAndQuery, UriKind.Relative));
        // Added without validation so that .NET sends them byte for byte (it would add a space before `version=2`).
        request.Headers.TryAddWithoutValidation("Authorization", "Token token=" + key.Trim());
        request.Headers.TryAddWithoutValidation("Accept", AcceptHeader);
        if (earlyAccess is not null) request.Headers.TryAddWithoutValidation("X-EARLY-ACCESS", earlyAccess);
        if (from is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(from);
            request.Headers.TryAddWithoutValidation("From", from.Trim());
        }
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body.ToJsonString()));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PagerDutyException(null, $"PagerDuty did not answer {method} /{PathOnly(pathAndQuery)} in time.", inner: e);
        }
        catch (HttpRequestException e)
        {
            throw new PagerDutyException(null, $"PagerDuty could not be reached for {method} /{PathOnly(pathAndQuery)}: {e.Message}", inner: e);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode) throw ReadError(status, response.ReasonPhrase, text, status == 429 ? RateLimitReset(response) : null);
            if (string.IsNullOrWhiteSpace(text)) return null;
            try
            {
                return JsonNode.Parse(text);
            }
            catch (JsonException e)
            {
                throw new PagerDutyException(null, $"PagerDuty answered {method} /{PathOnly(pathAndQuery)} with {status} and a body that is not JSON.", inner: e);
            }
        }
    }

    private static PagerDutyException ReadError(int status, string? reason, string body, TimeSpan? retryAfter)
    {
        string? message = null;
        int? code = null;
        var errors = new List<string>();
        JsonNode? root = null;
        try
        {
            root = string.IsNullOrWhiteSpace(body) ? null : JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            var raw = body.Trim();
            errors.Add(raw.Length > 200 ? raw[..200] + "…" : raw);
        }

        switch (root)
        {
            case JsonArray list:
                errors.AddRange(Strings(list));
                break;
            case JsonObject obj:
                var error = obj["error"] as JsonObject ?? obj;
                message = Text(error["message"]);
                code = error["code"] is JsonValue c && (c.TryGetValue<int>(out var n) || int.TryParse(Text(c), CultureInfo.InvariantCulture, out n)) ? n : null;
                switch (error["errors"])
                {
                    case JsonArray list: errors.AddRange(Strings(list)); break;
                    case JsonValue one when Text(one) is { Length: > 0 } s: errors.Add(s); break;
                }
                break;
        }

        message = string.IsNullOrWhiteSpace(message) ? $"PagerDuty answered {status}{(string.IsNullOrEmpty(reason) ? "" : " " + reason)}" : message;
        return new PagerDutyException(status, message, code, errors, retryAfter);
    }

    internal static TimeSpan? RateLimitReset(HttpResponseMessage response) =>
        response.Headers.TryGetValues("ratelimit-reset", out var values)
        && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
        && seconds >= 0
            ? TimeSpan.FromSeconds(seconds)
            : null;

    private static bool IsDuplicateKey(PagerDutyException e, string incidentKey) =>
        e.StatusCode == 400 && e.Errors.Prepend(e.Message).Any(text =>
            text.Contains("dedup key", StringComparison.OrdinalIgnoreCase)
            || (text.Contains("already exists", StringComparison.OrdinalIgnoreCase)
                && (text.Contains("incident key", StringComparison.OrdinalIgnoreCase) || text.Contains("incident_key", StringComparison.OrdinalIgnoreCase)
                    || text.Contains(incidentKey, StringComparison.Ordinal))));

    private static PdIncident ReadIncident(JsonNode? node)
    {
        if (node is not JsonObject incident) throw Malformed("an incident");
        var service = incident["service"];
        var policy = incident["escalation_policy"];
        var priority = incident["priority"];
        var assignees = (incident["assignments"] as JsonArray ?? [])
            .Select(a => Member(a, "assignee"))
            .Select(assignee => Text(Member(assignee, "summary")) ?? Text(Member(assignee, "id")))
            .OfType<string>()
            .ToList();
        return new PdIncident(
            Required(incident, "id"),
            incident["incident_number"] is JsonValue number && number.TryGetValue<long>(out var n) ? n : 0,
            Text(incident["title"]) ?? Text(incident["summary"]) ?? "",
            Text(incident["status"]) ?? "",
            Text(incident["urgency"]) ?? "",
            Text(Member(priority, "id")),
            Text(Member(priority, "summary")) ?? Text(Member(priority, "name")),
            Text(Member(service, "id")) ?? throw Malformed("an incident's service"),
            Text(Member(service, "summary")) ?? Text(Member(service, "name")),
            Text(Member(policy, "id")),
            Text(Member(policy, "summary")) ?? Text(Member(policy, "name")),
            Text(incident["html_url"]) ?? "",
            Text(incident["incident_key"]),
            Time(incident["created_at"]),
            assignees);
    }

    private static PdBusinessServiceImpact ReadImpact(JsonNode? node, bool requireStatus)
    {
        var priority = Member(Member(node, "additional_fields"), "highest_impacting_priority");
        var status = Text(Member(node, "status"));
        return new PdBusinessServiceImpact(Required(node, "id"), Text(Member(node, "name")) ?? Text(Member(node, "summary")) ?? Required(node, "id"),
            status == "impacted" || (!requireStatus && status is null), Text(Member(priority, "id")),
            Member(priority, "order") is JsonValue order && order.TryGetValue<int>(out var n) ? n : null);
    }

    private static bool More(JsonNode? page) => Member(page, "more") is JsonValue more && more.TryGetValue<bool>(out var hasMore) && hasMore;

    private static PdNote ReadNote(JsonNode? node)
    {
        if (node is not JsonObject note) throw Malformed("a note");
        return new PdNote(Required(note, "id"), Text(note["content"]) ?? "", Time(note["created_at"]), Text(Member(note["user"], "summary")));
    }

    private static PdLogEntry ReadLogEntry(JsonNode? node)
    {
        if (node is not JsonObject entry) throw Malformed("a log entry");
        var type = Text(entry["type"]) ?? "log_entry";
        return new PdLogEntry(Required(entry, "id"), type, Text(entry["summary"]) ?? type.Replace('_', ' '), Time(entry["created_at"]),
            Text(Member(entry["agent"], "summary")));
    }

    private static IEnumerable<JsonNode?> Items(JsonNode? page, string collection) =>
        Member(page, collection) as JsonArray ?? throw Malformed($"a '{collection}' list");

    private static JsonObject Reference(string id, string type) => new() { ["id"] = id, ["type"] = type };

    private static JsonArray Assignments(IEnumerable<string> userIds) =>
        new(userIds.Select(id => (JsonNode)new JsonObject { ["assignee"] = Reference(id, "user_reference") }).ToArray());

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static JsonNode? Member(JsonNode? node, string name) => node is JsonObject obj ? obj[name] : null;

    private static string Required(JsonNode? node, string name) => Text(Member(node, name)) ?? throw Malformed($"'{name}'");

    private static IEnumerable<string> Strings(JsonArray list) =>
        list.Select(item => Text(item) ?? item?.ToJsonString()).OfType<string>();

    private static DateTime Time(JsonNode? node) =>
        DateTimeOffset.TryParse(Text(node), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time.UtcDateTime
            : DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc);

    private static PagerDutyException Malformed(string what) => new(null, $"PagerDuty's answer holds no {what}.");

    private static string Escape(string id) => Uri.EscapeDataString(id);

    private static string PathOnly(string pathAndQuery) => pathAndQuery.Split('?')[0];
}
