using System.Text.Json.Nodes;
using Portal.Core.Dispatch;
using Portal.Core.Records;
using Portal.Core.Rules;
using Portal.Core.Webhooks;

namespace Portal.Core.Notifications;

/// The form a change takes on the change bus: small JSON objects named by `"type"`. Ids and keys cross as they are;
/// the changes that carry big payloads cross as the parts their subscribers read (`RecordChange`: the object, the
/// record and whether it was an insert, without the old and new values; `ActionFinished`: the action's ids, type and
/// state, without its payload; `IncidentEventProcessed`: the event's ids and type, without its body or the rules it
/// set off). A configuration change (`IsConfiguration`) is only a hint: the receiver reads the database
/// (`ConfigGenerations`) and announces what differs. `BusinessImpactsChanged` does not cross: each instance derives it.
public static class ChangeWire
{
    /// Whether the receiver learns this change by reading the configuration again rather than from the message.
    public static bool IsConfiguration(IChange change) => change is RulesetSaved or SettingChanged or ObjectCatalogChanged;

    public static bool IsConfiguration(JsonObject wire) =>
        wire["type"] is JsonValue type && type.TryGetValue<string>(out var name) && name is nameof(RulesetSaved) or nameof(SettingChanged) or nameof(ObjectCatalogChanged);

    /// The wire form, or null for a change that does not cross.
    public static JsonObject? Write(IChange change) => change switch
    {
        RecordLinksChanged c => Named(nameof(RecordLinksChanged), ("recordId", c.RecordId)),
        RulesetSaved c => Named(nameof(RulesetSaved), ("version", c.Version)),
        PlannedActionsStored => Named(nameof(PlannedActionsStored)),
        DeadLettersChanged => Named(nameof(DeadLettersChanged)),
        SettingChanged c => Named(nameof(SettingChanged), ("key", c.Key)),
        ObjectCatalogChanged => Named(nameof(ObjectCatalogChanged)),
        StatusUpdateAdded c => Named(nameof(StatusUpdateAdded), ("incidentId", c.IncidentId)),
        LogEntriesStored => Named(nameof(LogEntriesStored)),
        WebhookPingReceived => Named(nameof(WebhookPingReceived)),
        RecordChange c => Named(nameof(RecordChange), ("object", c.Object), ("recordId", c.RecordId), ("isInsert", c.IsInsert)),
        ActionFinished c => Named(nameof(ActionFinished), ("id", c.Action.Id.ToString()), ("actionType", c.Action.ActionType), ("state", c.Action.State),
            ("objectName", c.Action.ObjectName), ("recordId", c.Action.RecordId), ("incidentId", c.Action.IncidentId)),
        IncidentEventProcessed c => Named(nameof(IncidentEventProcessed), ("eventId", c.Event.EventId), ("eventType", c.Event.EventType),
            ("incidentId", c.Event.Incident.IncidentId), ("incidentNumber", c.Event.Incident.IncidentNumber), ("statusUpdate", c.Event.StatusUpdate is not null)),
        _ => null,
    };

    /// The change a wire form stands for, with what it does not carry left empty; null for one this build does not
    /// know (a newer instance's) or a record of an object type this instance does not know.
    public static IChange? Read(JsonObject wire, CatalogSnapshot catalog)
    {
        string? Text(string name) => wire[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        bool Flag(string name) => wire[name] is JsonValue v && v.TryGetValue<bool>(out var b) && b;
        long? Number(string name) => wire[name] is JsonValue v && v.TryGetValue<long>(out var n) ? n : null;
        return Text("type") switch
        {
            nameof(RecordLinksChanged) when Text("recordId") is { } id => new RecordLinksChanged(id),
            nameof(RulesetSaved) => new RulesetSaved(Number("version") ?? 0),
            nameof(PlannedActionsStored) => new PlannedActionsStored(),
            nameof(DeadLettersChanged) => new DeadLettersChanged(),
            nameof(SettingChanged) when Text("key") is { } key => new SettingChanged(key),
            nameof(ObjectCatalogChanged) => new ObjectCatalogChanged(),
            nameof(StatusUpdateAdded) when Text("incidentId") is { } id => new StatusUpdateAdded(id),
            nameof(LogEntriesStored) => new LogEntriesStored(),
            nameof(WebhookPingReceived) => new WebhookPingReceived(),
            nameof(RecordChange) when catalog.Find(Text("object") ?? "") is { } type && Text("recordId") is { } id =>
                new RecordChange(type, id, Flag("isInsert"), [], [], new ChangeActor("another instance")),
            nameof(ActionFinished) when Guid.TryParse(Text("id"), out var id) => new ActionFinished(new PlannedActionEntity
            {
                Id = id, ActionType = Text("actionType") ?? "", PayloadJson = "{}", RequestedBy = "", State = Text("state") ?? "",
                ObjectName = Text("objectName"), RecordId = Text("recordId"), IncidentId = Text("incidentId"),
            }),
            nameof(IncidentEventProcessed) when Text("eventId") is { } id && Text("eventType") is { } type => new IncidentEventProcessed(
                new PagerDutyWebhookEvent(id, type, null, new PagerDutyFacts
                {
                    EventType = PagerDutyEventTypes.ToShort(type), IncidentId = Text("incidentId"), IncidentNumber = Number("incidentNumber"),
                }, null, null, Flag("statusUpdate") ? new WebhookStatusUpdate("", "") : null), [], null),
            _ => null,
        };
    }

    private static JsonObject Named(string type, params (string Name, JsonNode? Value)[] fields)
    {
        var wire = new JsonObject { ["type"] = type };
        foreach (var (name, value) in fields)
            if (value is not null) wire[name] = value;
        return wire;
    }
}
