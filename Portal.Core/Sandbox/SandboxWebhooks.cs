using System.Globalization;
using System.Text.Json.Nodes;
using Portal.Core.PagerDuty;
using Portal.Core.Webhooks;

namespace Portal.Core.Sandbox;

/// The Webhooks v3 deliveries the sandbox account sends Portal, in the shape PagerDuty sends them (see the captured
/// deliveries under Portal.Tests/Webhooks/TestData): incident events carry the incident in `data`; note, status
/// update and responder events carry their own object in `data` with the incident as a reference inside. The rows
/// go into the webhook table in the transaction of the sandbox change that raised them, so they are processed like
/// real deliveries: oldest first, exactly once, and after a restart.
public static class SandboxWebhooks
{
    /// A pending delivery of `eventType` about `incident`, made by `agent` (the request's `From`, as the sandbox
    /// knows no other name for the caller: status updates show it as their author).
    public static WebhookEventEntity Event(string eventId, string eventType, DateTimeOffset occurredAt, PdIncident incident, string agent,
        WebhookNote? note = null, WebhookStatusUpdate? statusUpdate = null, string? responderMessage = null)
    {
        JsonObject data;
        if (note is not null)
            data = new JsonObject
            {
                ["incident"] = IncidentReference(incident), ["id"] = note.Id, ["content"] = note.Content, ["trimmed"] = false, ["type"] = "incident_note",
            };
        else if (statusUpdate is not null)
            data = new JsonObject
            {
                ["incident"] = IncidentReference(incident), ["id"] = statusUpdate.Id, ["message"] = statusUpdate.Message, ["trimmed"] = false,
                ["type"] = "incident_status_update",
            };
        else if (responderMessage is not null)
            data = new JsonObject { ["incident"] = IncidentReference(incident), ["message"] = responderMessage, ["state"] = "pending", ["type"] = "incident_responder" };
        else
            data = Incident(incident);

        var userId = SandboxAccount.Users.FirstOrDefault(u => string.Equals(u.Email, agent, StringComparison.OrdinalIgnoreCase)).User?.Id;
        var body = new JsonObject
        {
            ["event"] = new JsonObject
            {
                ["id"] = eventId,
                ["event_type"] = eventType,
                ["resource_type"] = "incident",
                ["occurred_at"] = Time(occurredAt.UtcDateTime),
                ["agent"] = userId is null
                    ? new JsonObject { ["summary"] = agent, ["type"] = "user_reference" }
                    : Reference(userId, agent, "user_reference", "users"),
                ["client"] = null,
                ["data"] = data,
            },
        };
        return new WebhookEventEntity
        {
            EventId = eventId,
            EventType = eventType,
            IncidentId = incident.Id,
            Body = body.ToJsonString(),
            ReceivedUtc = occurredAt.UtcDateTime,
            OccurredUtc = occurredAt.UtcDateTime,
        };
    }

    /// The body of a `pagey.ping` as PagerDuty sends it (Portal.Tests/Webhooks/TestData/aldaviva.pagey.ping.json).
    public static string Ping(string eventId, DateTimeOffset occurredAt) => new JsonObject
    {
        ["event"] = new JsonObject
        {
            ["id"] = eventId,
            ["event_type"] = "pagey.ping",
            ["resource_type"] = "pagey",
            ["occurred_at"] = Time(occurredAt.UtcDateTime),
            ["agent"] = null,
            ["client"] = null,
            ["data"] = new JsonObject { ["message"] = "Hello from your friend Pagey!", ["type"] = "ping" },
        },
    }.ToJsonString();

    private static JsonObject Incident(PdIncident incident) => new()
    {
        ["id"] = incident.Id,
        ["type"] = "incident",
        ["self"] = $"{SandboxAccount.HtmlBase}/api/incidents/{incident.Id}",
        ["html_url"] = incident.HtmlUrl,
        ["number"] = incident.Number,
        ["status"] = incident.Status,
        ["incident_key"] = incident.IncidentKey,
        ["created_at"] = Time(incident.CreatedUtc),
        ["title"] = incident.Title,
        ["service"] = Reference(incident.ServiceId, incident.ServiceName, "service_reference", "services"),
        ["assignees"] = new JsonArray([.. incident.AssigneeNames.Select(name => (JsonNode)Assignee(name))]),
        ["escalation_policy"] = incident.EscalationPolicyId is null ? null
            : Reference(incident.EscalationPolicyId, incident.EscalationPolicyName, "escalation_policy_reference", "escalation_policies"),
        ["teams"] = new JsonArray(),
        ["priority"] = incident.PriorityId is null ? null : Reference(incident.PriorityId, incident.PriorityName, "priority_reference", "priorities"),
        ["urgency"] = incident.Urgency,
        ["conference_bridge"] = null,
        ["resolve_reason"] = null,
        ["incident_type"] = new JsonObject { ["name"] = "incident_default" },
    };

    private static JsonObject IncidentReference(PdIncident incident) =>
        Reference(incident.Id, incident.Title, "incident_reference", "incidents");

    // the sandbox keeps assignees by name; PagerDuty's references carry the user's id too
    private static JsonObject Assignee(string name) =>
        SandboxAccount.Users.FirstOrDefault(u => u.User.Name == name).User is { } user
            ? Reference(user.Id, user.Name, "user_reference", "users")
            : new JsonObject { ["summary"] = name, ["type"] = "user_reference" };

    private static JsonObject Reference(string id, string? summary, string type, string collection) => new()
    {
        ["html_url"] = $"{SandboxAccount.HtmlBase}/{collection}/{id}",
        ["id"] = id,
        ["self"] = $"{SandboxAccount.HtmlBase}/api/{collection}/{id}",
        ["summary"] = summary,
        ["type"] = type,
    };

    // ISO 8601 in UTC as PagerDuty writes it ("2025-04-07T03:47:13Z", fractions only when there are any)
    private static string Time(DateTime utc) => utc.ToString(@"yyyy-MM-dd\THH:mm:ss.FFFFFFF\Z", CultureInfo.InvariantCulture);
}
