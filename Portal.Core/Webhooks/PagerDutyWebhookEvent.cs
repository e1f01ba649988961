using System.Text.Json;
using Portal.Core.Rules;

namespace Portal.Core.Webhooks;

/// A PagerDuty Webhooks v3 note (`incident.annotated`).
public sealed record WebhookNote(string Id, string Content);

/// A PagerDuty Webhooks v3 status update (`incident.status_update_published`, `data.type` `incident_status_update`).
/// `Trimmed`: PagerDuty cut a long message; `By` is the event's agent.
public sealed record WebhookStatusUpdate(string Id, string Message, bool Trimmed = false, string? By = null);

/// The parts of a Webhooks v3 delivery that Portal uses. Note that the payload says `number` and `assignees`,
/// not the REST API's `incident_number` and `assignments`. `IncidentKey` is the incident's `incident_key`, when it has one.
public sealed record PagerDutyWebhookEvent(
    string EventId, string EventType, DateTimeOffset? OccurredAt, PagerDutyFacts Incident, WebhookNote? Note, string? AgentId,
    WebhookStatusUpdate? StatusUpdate, string? IncidentKey = null)
{
    public bool IsIncidentEvent => EventType.StartsWith("incident.", StringComparison.Ordinal) && Incident.IncidentId is not null;

    /// Reads a webhook body (`{"event":{...}}`); null when it is not a Webhooks v3 event.
    public static PagerDutyWebhookEvent? Parse(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("event", out var e) || e.ValueKind != JsonValueKind.Object) return null;
        var id = Text(e, "id");
        var type = Text(e, "event_type");
        if (id is null || type is null) return null;
        var occurred = Text(e, "occurred_at") is { } at && DateTimeOffset.TryParse(at, out var parsed) ? parsed : (DateTimeOffset?)null;
        var data = e.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object ? d : default;
        var agent = e.TryGetProperty("agent", out var a) && a.ValueKind == JsonValueKind.Object ? Text(a, "id") : null;
        var agentName = a.ValueKind == JsonValueKind.Object ? Text(a, "summary") : null;

        WebhookNote? note = null;
        WebhookStatusUpdate? statusUpdate = null;
        var incident = data;
        if (data.ValueKind == JsonValueKind.Object && Text(data, "type") is { } dataType && dataType != "incident")
        {
            // notes, status updates and responder events carry the incident as a reference inside
            if (dataType == "incident_note" && Text(data, "id") is { } noteId) note = new WebhookNote(noteId, Text(data, "content") ?? "");
            if (dataType == "incident_status_update" && Text(data, "id") is { } updateId)
                statusUpdate = new WebhookStatusUpdate(updateId, Text(data, "message") ?? "",
                    data.TryGetProperty("trimmed", out var trimmed) && trimmed.ValueKind == JsonValueKind.True, agentName);
            incident = data.TryGetProperty("incident", out var inner) && inner.ValueKind == JsonValueKind.Object ? inner : default;
        }

        var facts = new PagerDutyFacts
        {
            EventType = PagerDutyEventTypes.ToShort(type),
            IncidentId = incident.ValueKind == JsonValueKind.Object ? Text(incident, "id") : null,
            IncidentNumber = incident.ValueKind == JsonValueKind.Object && incident.TryGetProperty("number", out var n) && n.TryGetInt64(out var number) ? number : null,
            IncidentUrl = incident.ValueKind == JsonValueKind.Object ? Text(incident, "html_url") : null,
            IncidentTitle = incident.ValueKind == JsonValueKind.Object ? Text(incident, "title") ?? Text(incident, "summary") : null,
            IncidentStatus = incident.ValueKind == JsonValueKind.Object ? Text(incident, "status") : null,
            ServiceId = Reference(incident, "service", "id"),
            ServiceName = Reference(incident, "service", "summary"),
            EscalationPolicyId = Reference(incident, "escalation_policy", "id"),
            EscalationPolicyName = Reference(incident, "escalation_policy", "summary"),
            Priority = Reference(incident, "priority", "summary") ?? Reference(incident, "priority", "name"),
            Urgency = incident.ValueKind == JsonValueKind.Object ? Text(incident, "urgency") : null,
            Assignees = incident.ValueKind == JsonValueKind.Object && incident.TryGetProperty("assignees", out var assignees) && assignees.ValueKind == JsonValueKind.Array
                ? [.. assignees.EnumerateArray().Select(a => Text(a, "summary")).OfType<string>()]
                : null,
            CreatedUtc = Text(incident, "created_at") is { } created
                && DateTime.TryParse(created, System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var createdUtc)
                ? createdUtc : null,
        };
        return new PagerDutyWebhookEvent(id, type, occurred, facts, note, agent, statusUpdate,
            incident.ValueKind == JsonValueKind.Object ? Text(incident, "incident_key") : null);
    }

    private static string? Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static string? Reference(JsonElement element, string property, string field) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Object
            ? Text(value, field)
            : null;
}
