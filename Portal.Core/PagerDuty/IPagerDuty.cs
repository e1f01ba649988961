namespace Portal.Core.PagerDuty;

/// An incident as Portal needs it, whichever side answered (the live REST API or the sandbox).
public sealed record PdIncident(
    string Id, long Number, string Title, string Status, string Urgency, string? PriorityId, string? PriorityName,
    string ServiceId, string? ServiceName, string? EscalationPolicyId, string? EscalationPolicyName, string HtmlUrl,
    string? IncidentKey, DateTime CreatedUtc, IReadOnlyList<string> AssigneeNames)
{
    /// What a link keeps of the incident.
    public Links.IncidentState ToState() =>
        new(Id, Number, Title, Status, Urgency, PriorityName, ServiceId, ServiceName, HtmlUrl, AssigneeNames, CreatedUtc);
}

/// `POST /incidents`. Exactly one of `EscalationPolicyId` and `AssigneeIds` may be set (PagerDuty refuses both).
public sealed record PdCreateIncident(
    string Title, string ServiceId, string? Urgency = null, string? PriorityId = null, string? EscalationPolicyId = null,
    IReadOnlyList<string>? AssigneeIds = null, string? Details = null, string? IncidentKey = null);

/// `PUT /incidents/{id}`: only the given values change.
public sealed record PdUpdateIncident(
    string? Status = null, string? Resolution = null, string? PriorityId = null, string? Urgency = null, string? Title = null,
    string? EscalationPolicyId = null, IReadOnlyList<string>? AssigneeIds = null, int? EscalationLevel = null, PdConferenceBridge? ConferenceBridge = null);

/// An incident's conference bridge: the dial-in number and the meeting address, either may be left out.
public sealed record PdConferenceBridge(string? Number, string? Url);

public sealed record PdNote(string Id, string Content, DateTime CreatedUtc, string? UserName);

/// `POST /incidents/{id}/status_updates` answers with the update it published; its id is the `data.id` of the
/// `incident.status_update_published` webhook that follows (null when the answer held none).
public sealed record PdStatusUpdate(string? Id, string Message, DateTime? CreatedUtc, string? SenderName);

/// A business service and whether it is impacted now (`GET /business_services/impacts`,
/// `GET /incidents/{id}/business_services/impacts`). `HighestImpactingPriorityId` is set when asked for
/// `additional_fields[]=services.highest_impacting_priority` and an incident with a priority impacts it.
public sealed record PdBusinessServiceImpact(string Id, string Name, bool Impacted, string? HighestImpactingPriorityId = null,
    int? HighestImpactingPriorityOrder = null);

/// A "live list": PagerDuty returns the most impacted business services first, up to its limit, and says `More`
/// when there are others it left out (they can only be asked for by id).
public sealed record PdBusinessServiceImpacts(IReadOnlyList<PdBusinessServiceImpact> Services, bool More);

/// `Email` is a user's (`GET /users`), null for everything else.
public sealed record PdReference(string Id, string Name, string? Email = null);

/// A responder request on an incident (`responder_requests` of `GET /incidents/{id}`).
public sealed record PdResponderRequest(string Message, DateTime RequestedUtc);

/// One of an incident's log entries (`GET /incidents/{id}/log_entries`): `Type` is PagerDuty's, e.g. `acknowledge_log_entry`.
public sealed record PdLogEntry(string Id, string Type, string Summary, DateTime CreatedUtc, string? AgentName);

public sealed record PdConnectionCheck(bool Ok, string Message);

/// A Webhooks v3 subscription. `Secret` is only ever known from the create answer.
public sealed record PdWebhookSubscription(string Id, string Url, string FilterType, string? FilterId, bool Active, bool TemporarilyDisabled,
    IReadOnlyList<string> Events, string? Secret = null);

/// Why PagerDuty refused or failed a call. `Transient` calls may be tried again (429, 5xx, timeouts, no
/// connection); `RetryAfter` is PagerDuty's `ratelimit-reset` when it sent one.
public sealed class PagerDutyException(int? statusCode, string message, int? errorCode = null, IReadOnlyList<string>? errors = null,
    TimeSpan? retryAfter = null, Exception? inner = null) : Exception(message, inner)
{
    public int? StatusCode { get; } = statusCode;
    public int? ErrorCode { get; } = errorCode;
    public IReadOnlyList<string> Errors { get; } = errors ?? [];
    public TimeSpan? RetryAfter { get; } = retryAfter;

    public bool Transient => StatusCode is null or 408 or 429 or >= 500;

    /// Not PagerDuty's answer: Portal's own request budget refused the request, which was never sent.
    public bool BudgetSpent { get; init; }

    /// PagerDuty's own words, for the logs and the dead-letter list.
    public string Describe() => Errors.Count == 0 ? Message : $"{Message}: {string.Join("; ", Errors)}";

    /// The failure for a page to show: "PagerDuty refused" only when PagerDuty answered with a refusal (a 4xx other
    /// than 408 and 429); a network failure or a timeout says PagerDuty could not be reached, a 5xx what it answered.
    public string ForPeople() =>
        BudgetSpent ? Describe()
        : StatusCode is null ? (Message.StartsWith("PagerDuty", StringComparison.Ordinal) ? Describe() : $"PagerDuty could not be reached: {Describe()}")
        : Transient ? $"PagerDuty answered {StatusCode}: {Describe()}"
        : $"PagerDuty refused ({StatusCode}): {Describe()}";
}

/// The PagerDuty REST API v2 calls Portal makes. Two implementations: the live client and the sandbox.
public interface IPagerDuty
{
    Task<PdIncident> CreateIncidentAsync(PdCreateIncident request, string from, CancellationToken cancellationToken);
    Task<PdIncident?> FindIncidentByKeyAsync(string incidentKey, CancellationToken cancellationToken);
    Task<PdIncident> GetIncidentAsync(string incidentId, CancellationToken cancellationToken);
    Task<PdIncident> UpdateIncidentAsync(string incidentId, PdUpdateIncident update, string from, CancellationToken cancellationToken);
    Task<PdNote> AddNoteAsync(string incidentId, string content, string from, CancellationToken cancellationToken);
    Task<IReadOnlyList<PdNote>> ListNotesAsync(string incidentId, CancellationToken cancellationToken);
    /// The incident's most important log entries (PagerDuty's overview), newest first.
    Task<IReadOnlyList<PdLogEntry>> ListLogEntriesAsync(string incidentId, CancellationToken cancellationToken);
    Task AddRespondersAsync(string incidentId, string requesterUserId, IReadOnlyList<string> userIds, IReadOnlyList<string> escalationPolicyIds,
        string message, string from, CancellationToken cancellationToken);
    Task<PdStatusUpdate> AddStatusUpdateAsync(string incidentId, string message, string from, CancellationToken cancellationToken);
    Task RunIncidentWorkflowAsync(string workflowId, string incidentId, CancellationToken cancellationToken);
    /// `PUT /incidents/{id}/custom_fields/values`: sets the named custom fields (each value as PagerDuty takes it).
    Task SetCustomFieldValuesAsync(string incidentId, IReadOnlyDictionary<string, System.Text.Json.JsonElement> values, string from,
        CancellationToken cancellationToken);
    Task RunAutomationActionAsync(string actionId, string incidentId, CancellationToken cancellationToken);
    /// The incident's responder requests, for telling whether an earlier attempt arrived (`DeliveryCheck`).
    Task<IReadOnlyList<PdResponderRequest>> ListResponderRequestsAsync(string incidentId, CancellationToken cancellationToken);
    /// When the automation action was invoked on the incident (`GET /automation_actions/invocations`), for `DeliveryCheck`.
    Task<IReadOnlyList<DateTime>> ListAutomationInvocationsAsync(string actionId, string incidentId, CancellationToken cancellationToken);
    Task<IReadOnlyList<PdReference>> ListServicesAsync(CancellationToken cancellationToken);
    Task<IReadOnlyList<PdReference>> ListEscalationPoliciesAsync(CancellationToken cancellationToken);
    Task<IReadOnlyList<PdReference>> ListPrioritiesAsync(CancellationToken cancellationToken);
    Task<IReadOnlyList<PdReference>> ListUsersAsync(CancellationToken cancellationToken);
    /// The user id of the integration e-mail (needed as `requester_id` of responder requests), or null.
    Task<string?> FindUserIdByEmailAsync(string email, CancellationToken cancellationToken);
    Task<PdWebhookSubscription> CreateWebhookSubscriptionAsync(string url, string filterType, string? filterId, IReadOnlyList<string> events,
        CancellationToken cancellationToken);
    Task<IReadOnlyList<PdWebhookSubscription>> ListWebhookSubscriptionsAsync(CancellationToken cancellationToken);
    /// Re-enables a subscription PagerDuty disabled after failed deliveries.
    Task EnableWebhookSubscriptionAsync(string id, CancellationToken cancellationToken);
    /// Asks PagerDuty to deliver a `pagey.ping` to the subscription.
    Task PingWebhookSubscriptionAsync(string id, CancellationToken cancellationToken);
    Task DeleteWebhookSubscriptionAsync(string id, CancellationToken cancellationToken);
    /// Business services sorted by impact (impacted first), with their highest impacting priority; `ids` asks for those
    /// business services only.
    Task<PdBusinessServiceImpacts> ListBusinessServiceImpactsAsync(IReadOnlyList<string>? ids, CancellationToken cancellationToken);
    /// Every business service (`GET /business_services`), for accounts with more than the impacts list returns.
    Task<IReadOnlyList<PdReference>> ListBusinessServicesAsync(CancellationToken cancellationToken);
    /// The triggered and acknowledged incidents, with their priority.
    Task<IReadOnlyList<PdIncident>> ListOpenIncidentsAsync(CancellationToken cancellationToken);
    /// The business services one incident impacts.
    Task<IReadOnlyList<PdBusinessServiceImpact>> ListIncidentImpactsAsync(string incidentId, CancellationToken cancellationToken);
    /// Checks the key and the integration e-mail.
    Task<PdConnectionCheck> CheckConnectionAsync(string from, CancellationToken cancellationToken);
}
