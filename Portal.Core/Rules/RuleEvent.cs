namespace Portal.Core.Rules;

public enum RuleEventKind
{
    Record,
    PagerDuty,
}

public sealed record PagerDutyFacts
{
    public string? EventType { get; init; }
    public string? IncidentId { get; init; }
    public long? IncidentNumber { get; init; }
    public string? IncidentUrl { get; init; }
    public string? IncidentTitle { get; init; }
    public string? IncidentStatus { get; init; }
    public string? ServiceId { get; init; }
    public string? ServiceName { get; init; }
    public string? EscalationPolicyId { get; init; }
    public string? EscalationPolicyName { get; init; }
    public string? Priority { get; init; }
    public string? Urgency { get; init; }
    /// Not rule fields: what the console shows of the incident (webhook `assignees[].summary`, `created_at`).
    public IReadOnlyList<string>? Assignees { get; init; }
    public DateTime? CreatedUtc { get; init; }
}

public sealed record RuleEvent
{
    private static readonly IReadOnlyDictionary<string, object?> NoFields = new Dictionary<string, object?>();

    public RuleEventKind Kind { get; init; }

    // The record's object type; unused for PagerDuty events, whose rules name their own object.
    public string Object { get; init; } = "";
    public bool IsInsert { get; init; }
    public IReadOnlyDictionary<string, object?> Old { get; init; } = NoFields;
    public IReadOnlyDictionary<string, object?> New { get; init; } = NoFields;
    public string? RecordId { get; init; }

    // Record events: the record's linked incident, if any. PagerDuty events: the incident the webhook is about.
    public PagerDutyFacts? PagerDuty { get; init; }
    public bool IsBusinessHours { get; init; }

    // PagerDuty events: object name → fields of the record of that object linked to the incident.
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>> LinkedRecords { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, object?>>();

    public static RuleEvent ForRecord(
        string objectName,
        bool isInsert,
        IReadOnlyDictionary<string, object?>? oldFields,
        IReadOnlyDictionary<string, object?> newFields,
        string? recordId = null,
        PagerDutyFacts? linkedIncident = null,
        bool isBusinessHours = false) => new()
    {
        Kind = RuleEventKind.Record,
        Object = objectName,
        IsInsert = isInsert,
        Old = oldFields ?? NoFields,
        New = newFields,
        RecordId = recordId,
        PagerDuty = linkedIncident,
        IsBusinessHours = isBusinessHours,
    };

    public static RuleEvent ForPagerDuty(
        PagerDutyFacts incident,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>>? linkedRecords = null,
        bool isBusinessHours = false) => new()
    {
        Kind = RuleEventKind.PagerDuty,
        PagerDuty = incident,
        LinkedRecords = linkedRecords ?? new Dictionary<string, IReadOnlyDictionary<string, object?>>(),
        IsBusinessHours = isBusinessHours,
    };
}

public static class PagerDutyEventTypes
{
    private static readonly Dictionary<string, string> ShortNames = new(StringComparer.Ordinal)
    {
        ["incident.triggered"] = "trigger",
        ["incident.acknowledged"] = "acknowledge",
        ["incident.unacknowledged"] = "unacknowledge",
        ["incident.resolved"] = "resolve",
        ["incident.reopened"] = "reopen",
        ["incident.reassigned"] = "assign",
        ["incident.escalated"] = "escalate",
        ["incident.delegated"] = "delegate",
        ["incident.annotated"] = "annotate",
        ["incident.priority_updated"] = "priorityUpdate",
        ["incident.responder.added"] = "responderAdded",
        ["incident.status_update_published"] = "statusUpdate",
        ["incident.custom_field_values.updated"] = "custom",
    };

    public static IReadOnlyCollection<string> WebhookEventTypes => ShortNames.Keys;

    /// The events whose `data` is the incident as it stands after the change (not a note, a status update, a
    /// responder request or custom field values): of two of them, the later one's state is the newer.
    public static readonly IReadOnlyList<string> WithIncidentState =
    [
        "incident.triggered", "incident.acknowledged", "incident.unacknowledged", "incident.resolved", "incident.reopened", "incident.reassigned",
        "incident.escalated", "incident.delegated", "incident.priority_updated",
    ];

    public static IReadOnlyCollection<string> ShortForms => ShortNames.Values;

    public static string? ToShort(string? webhookEventType) =>
        webhookEventType is not null && ShortNames.TryGetValue(webhookEventType, out var shortName) ? shortName : null;
}
